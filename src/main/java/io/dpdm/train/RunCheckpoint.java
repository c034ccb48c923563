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
 * atomically). meta.json: "model" (the {@link ModelCard}, the only part released with samples),
 * "config", "plan", "state" (DP-SGD counters and seed), "ledger", "initFrom", "wallSeconds".
 * Tensor groups: "params" and "ema" (the model contract of {@link ModelCheckpoint}) and
 * "optimizer" (Adam moments). The randomness needs no saved state: the DP streams are functions
 * of (seed, step) and the diffusion draws of (seed, step, micro-batch).
 */
final class RunCheckpoint {
    static final String OPTIMIZER = "optimizer";
    private static final String EMA_PREFIX = "ema/";

    /** The JSON part of a checkpoint besides the model card. */
    record State(TrainConfig config, TrainPlan plan, DpSgdState state, PrivacyLedger ledger, String initFrom,
            double wallSeconds) {}

    /** A checkpoint read back. Tensors belong to the manager given to {@link #read}. */
    record Loaded(State state, Map<String, NDArray> params, Map<String, NDArray> ema,
            Map<String, NDArray> engineArrays) {}

    private RunCheckpoint() {}

    /**
     * @param engineArrays the step engine's state arrays ("adam.m/...", "adam.v/...", "ema/...");
     *     the EMA ones are stored once, in the "ema" group
     */
    static void write(Path file, ModelCard card, State state, Map<String, NDArray> params, Map<String, NDArray> ema,
            Map<String, NDArray> engineArrays) {
        ObjectNode meta = TrainConfigs.JSON.createObjectNode();
        meta.set(ModelCheckpoint.MODEL, ModelCheckpoint.cardJson(card));
        meta.set("config", TrainConfigs.toTree(state.config()));
        meta.set("plan", TrainConfigs.JSON.valueToTree(state.plan()));
        meta.set("state", TrainConfigs.JSON.valueToTree(state.state()));
        meta.set("ledger", TrainConfigs.JSON.valueToTree(state.ledger()));
        meta.put("initFrom", state.initFrom());
        meta.put("wallSeconds", state.wallSeconds());
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
                    meta.path("initFrom").asText(""),
                    meta.path("wallSeconds").asDouble(0));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DpdmException(file + ": not a resumable training checkpoint ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
        }
        Map<String, NDArray> ema = contents.group(file, ModelCheckpoint.EMA);
        Map<String, NDArray> engine = new LinkedHashMap<>(contents.group(file, OPTIMIZER));
        ema.forEach((name, a) -> engine.put(EMA_PREFIX + name, a));
        return new Loaded(state, contents.group(file, ModelCheckpoint.PARAMS), ema, engine);
    }

    private static JsonNode field(Path file, ObjectNode meta, String name) {
        JsonNode node = meta.get(name);
        if (node == null) {
            throw new DpdmException(file + ": not a resumable training checkpoint (meta.json has no '" + name + "')");
        }
        return node;
    }
}
