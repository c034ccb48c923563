package io.dpdm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reading the model part of a checkpoint: the {@link ModelCard} (in meta.json under "model") and
 * the weights (tensor groups "params" and "ema"). The training loop writes these together with
 * its own state; sampling reads only this part and never opens a data set.
 */
public final class ModelCheckpoint {
    /** The checkpoint file inside a run directory. */
    public static final String FILE_IN_RUN = "checkpoint.zip";
    public static final String MODEL = "model";
    public static final String PARAMS = "params";
    public static final String EMA = "ema";
    static final ObjectMapper JSON = new ObjectMapper();

    /** A model read back: its card and both weight sets. */
    public record Loaded(Path file, ModelCard card, Map<String, NDArray> params, Map<String, NDArray> ema,
            ObjectNode meta) {}

    private ModelCheckpoint() {}

    /** The checkpoint file for a run directory or a checkpoint path, checked to exist. */
    public static Path resolve(Path runDirOrFile) {
        Path file = Files.isDirectory(runDirOrFile) ? runDirOrFile.resolve(FILE_IN_RUN) : runDirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new DpdmException(Files.isDirectory(runDirOrFile)
                    ? runDirOrFile + ": no " + FILE_IN_RUN + " (not a dpdm run directory, or no checkpoint written yet)"
                    : file + ": checkpoint not found");
        }
        return file;
    }

    public static ObjectNode cardJson(ModelCard card) {
        return JSON.valueToTree(card);
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
