package io.dpdm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model part of a saved file: the {@link ModelCard} (in meta.json under "model") and the
 * weights (tensor groups "params" and "ema").
 *
 * <p>Two files in a run directory hold it. {@value #MODEL_IN_RUN} is the shareable model: card and
 * weights only ({@link #write}), no key, no path, nothing about the data beyond what the guarantee
 * covers. {@value #FILE_IN_RUN} is the operator's run state: the same model plus the optimizer,
 * the resolved config (with the data's path), the ledger and the secret key of the run's DP
 * randomness; it must never be shared. Sampling reads only the model part of either, and never
 * opens a data set.
 */
public final class ModelCheckpoint {
    /** The operator-only checkpoint inside a run directory. */
    public static final String FILE_IN_RUN = "checkpoint.zip";
    /** The shareable model inside a run directory. */
    public static final String MODEL_IN_RUN = "model.zip";
    public static final String MODEL = "model";
    public static final String PARAMS = "params";
    public static final String EMA = "ema";
    static final ObjectMapper JSON = new ObjectMapper();

    /** A model read back: its card and both weight sets. */
    public record Loaded(Path file, ModelCard card, Map<String, NDArray> params, Map<String, NDArray> ema,
            ObjectNode meta) {}

    private ModelCheckpoint() {}

    /** The model file of a run directory ({@value #MODEL_IN_RUN}) or a model file path, checked to exist. */
    public static Path resolve(Path runDirOrFile) {
        Path file = Files.isDirectory(runDirOrFile) ? runDirOrFile.resolve(MODEL_IN_RUN) : runDirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new DpdmException(Files.isDirectory(runDirOrFile)
                    ? runDirOrFile + ": no " + MODEL_IN_RUN + " (not a dpdm run directory, or no checkpoint written yet)"
                    : file + ": model file not found");
        }
        return file;
    }

    public static ObjectNode cardJson(ModelCard card) {
        return JSON.valueToTree(card);
    }

    /** Writes the shareable model: card and weights, nothing else (atomically). */
    public static void write(Path file, ModelCard card, Map<String, NDArray> params, Map<String, NDArray> ema) {
        ObjectNode meta = JSON.createObjectNode();
        meta.set(MODEL, cardJson(card));
        Map<String, Map<String, NDArray>> tensors = new LinkedHashMap<>();
        tensors.put(PARAMS, params);
        tensors.put(EMA, ema);
        CheckpointFile.write(file, meta, tensors);
    }

    public static Loaded read(Path runDirOrFile, NDManager manager) {
        Path file = resolve(runDirOrFile);
        CheckpointFile.Contents contents = CheckpointFile.read(file, manager);
        JsonNode node = contents.meta().get(MODEL);
        if (node == null) {
            throw new DpdmException(file + ": checkpoint has no model card (meta.json has no '" + MODEL + "')");
        }
        ModelCard card;
        try {
            card = JSON.treeToValue(node, ModelCard.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new DpdmException(file + ": invalid model card (" + firstLine(e.getMessage()) + ")");
        }
        return new Loaded(file, card, contents.group(file, PARAMS), contents.group(file, EMA), contents.meta());
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
