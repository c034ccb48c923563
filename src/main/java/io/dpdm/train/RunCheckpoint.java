package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import io.dpdm.dp.DpSgdState;
import io.dpdm.model.CheckpointFile;
import io.dpdm.model.ModelCard;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.privacy.PrivacyLedger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training run's checkpoint, RUN_DIR/checkpoint.zip ({@link CheckpointFile}, written
 * atomically): the OPERATOR'S run state, never to be shared. meta.json: "model" (the
 * {@link ModelCard}), "config" (with the data's path), "plan", "state" (DP-SGD counters),
 * "ledger", "initialModel", "wallSeconds", "dataFingerprint" (tells resume and --init-from whether
 * data sets are the same; a hash of private data, so operator-only) and "runSecret" (the hex key
 * of the run's DP randomness in RUN_SECRET mode: with it every batch, noise vector and per-example
 * draw of the run can be regenerated). Tensor groups: "params" and "ema" (the model contract of
 * {@link ModelCheckpoint}), "optimizer" (Adam moments) and, with a warm start, "warmStart" (the
 * released central images and the warm start's Adam moments). The randomness needs no other saved
 * state: every stream is a function of (key, step) and every per-example draw of (key, step,
 * record, draw).
 */
final class RunCheckpoint {
    static final String OPTIMIZER = "optimizer";
    static final String WARM_START = "warmStart";
    private static final String EMA_PREFIX = "ema/";

    /**
     * The JSON part of a checkpoint besides the model card.
     *
     * @param initialModel what the weights were initialised from, or null
     * @param runSecret hex key of the run's DP randomness (RUN_SECRET mode), else null
     * @param dataFingerprint {@link io.dpdm.data.ImageDataset#fingerprint()} of the training data
     * @param warmStartSteps warm-start steps done (0 without a warm start)
     */
    record State(TrainConfig config, TrainPlan plan, DpSgdState state, PrivacyLedger ledger,
            InitialModel initialModel, double wallSeconds, String runSecret, String dataFingerprint,
            long warmStartSteps) {}

    /**
     * A checkpoint read back. Tensors belong to the manager given to {@link #read}.
     *
     * @param warmStart the released images ("images", "labels") and the warm start's optimizer
     *     arrays ("adam.m/...", ...), empty without a warm start
     */
    record Loaded(State state, Map<String, NDArray> params, Map<String, NDArray> ema,
            Map<String, NDArray> engineArrays, Map<String, NDArray> warmStart) {}

    private RunCheckpoint() {}

    /**
     * @param engineArrays the step engine's state arrays ("adam.m/...", "adam.v/...", "ema/...");
     *     the EMA ones are stored once, in the "ema" group
     */
    static void write(Path file, ModelCard card, State state, Map<String, NDArray> params, Map<String, NDArray> ema,
            Map<String, NDArray> engineArrays, Map<String, NDArray> warmStart) {
        ObjectNode meta = TrainConfigs.JSON.createObjectNode();
        meta.set(ModelCheckpoint.MODEL, ModelCheckpoint.cardJson(card));
        meta.set("config", TrainConfigs.toTree(state.config()));
        meta.set("plan", TrainConfigs.JSON.valueToTree(state.plan()));
        meta.set("state", TrainConfigs.JSON.valueToTree(state.state()));
        meta.set("ledger", TrainConfigs.JSON.valueToTree(state.ledger()));
        meta.set("initialModel", TrainConfigs.JSON.valueToTree(state.initialModel()));
        meta.put("wallSeconds", state.wallSeconds());
        meta.put("dataFingerprint", state.dataFingerprint());
        meta.put("runSecret", state.runSecret());
        meta.put("warmStartSteps", state.warmStartSteps());
        Map<String, NDArray> optimizer = new LinkedHashMap<>();
        engineArrays.forEach((name, a) -> {
            if (!name.startsWith(EMA_PREFIX)) {
                optimizer.put(name, a);
            }
        });
        Map<String, Map<String, NDArray>> tensors = new LinkedHashMap<>();
        tensors.put(ModelCheckpoint.PARAMS, params);
        tensors.put(ModelCheckpoint.EMA, ema);
        tensors.put(OPTIMIZER, optimizer);
        if (!warmStart.isEmpty()) {
            tensors.put(WARM_START, warmStart);
        }
        CheckpointFile.write(file, meta, tensors);
    }

    static Loaded read(Path file, NDManager manager) {
        CheckpointFile.Contents contents = CheckpointFile.read(file, manager);
        ObjectNode meta = contents.meta();
        State state;
        try {
            state = new State(
                    TrainConfigs.fromTree(field(file, meta, "config"), file + " (config)"),
                    TrainConfigs.JSON.treeToValue(field(file, meta, "plan"), TrainPlan.class),
                    TrainConfigs.JSON.treeToValue(field(file, meta, "state"), DpSgdState.class),
                    TrainConfigs.JSON.treeToValue(field(file, meta, "ledger"), PrivacyLedger.class),
                    TrainConfigs.JSON.treeToValue(meta.path("initialModel"), InitialModel.class),
                    meta.path("wallSeconds").asDouble(0),
                    meta.path("runSecret").isTextual() ? meta.get("runSecret").asText() : null,
                    field(file, meta, "dataFingerprint").asText(),
                    meta.path("warmStartSteps").asLong(0));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DpdmException(file + ": not a resumable training checkpoint ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
        }
        Map<String, NDArray> ema = contents.group(file, ModelCheckpoint.EMA);
        Map<String, NDArray> engine = new LinkedHashMap<>(contents.group(file, OPTIMIZER));
        ema.forEach((name, a) -> engine.put(EMA_PREFIX + name, a));
        return new Loaded(state, contents.group(file, ModelCheckpoint.PARAMS), ema, engine,
                contents.tensors().getOrDefault(WARM_START, Map.of()));
    }

    private static JsonNode field(Path file, ObjectNode meta, String name) {
        JsonNode node = meta.get(name);
        if (node == null) {
            throw new DpdmException(file + ": not a resumable training checkpoint (meta.json has no '" + name + "')");
        }
        return node;
    }
}
