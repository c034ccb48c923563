package io.dpdm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.LoadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A synthetic set as {@code dpdm sample} writes it: a folder with {@code manifest.json} (the
 * privacy guarantee, model card and sampler settings) and {@code idx/} (gzipped IDX and
 * {@code classes.txt}). A training run folder (with {@code checkpoint.zip}) is accepted too when it
 * holds such a set in {@code synthetic/}. The training run is found from the manifest's
 * {@code model.checkpoint} (or is the folder given), for the loss and epsilon curves.
 *
 * @param dir the synthetic set's folder
 * @param images the synthetic images (in the data set's train split; its test split is empty)
 * @param manifest the manifest
 * @param runDir the training run that made the model, when it can still be found
 */
public record SyntheticSet(Path dir, ImageDataset images, JsonNode manifest, Optional<Path> runDir) {
    public static final String MANIFEST = "manifest.json";
    public static final String IDX = "idx";
    /** Where a synthetic set is looked for inside a training run folder. */
    public static final String IN_RUN = "synthetic";
    static final String CHECKPOINT = "checkpoint.zip";

    /** Opens a synthetic set folder or a run folder holding one in {@value #IN_RUN}/. */
    public static SyntheticSet open(Path path) {
        if (!Files.isDirectory(path)) {
            throw new DpdmException("--synthetic " + path + ": no such folder (expected the output of dpdm sample"
                    + " or a training run folder)");
        }
        Optional<Path> run = Optional.empty();
        Path dir = path;
        if (!Files.isRegularFile(path.resolve(MANIFEST)) && Files.isRegularFile(path.resolve(CHECKPOINT))) {
            run = Optional.of(path);
            dir = path.resolve(IN_RUN);
            if (!Files.isRegularFile(dir.resolve(MANIFEST))) {
                throw new DpdmException("--synthetic " + path + ": a training run without a synthetic set (expected "
                        + dir.resolve(MANIFEST) + "; make one with dpdm sample --model " + path + " --out " + dir + ")");
            }
        }
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new DpdmException("--synthetic " + dir + ": no " + MANIFEST + " (expected the output folder of dpdm"
                    + " sample; a folder without a manifest is incomplete)");
        }
        JsonNode manifest;
        try {
            manifest = new ObjectMapper().readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new DpdmException(manifestFile + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + ")");
        }
        if (manifest == null || !manifest.isObject()) {
            throw new DpdmException(manifestFile + ": expected a JSON object");
        }
        Path idx = dir.resolve(IDX);
        if (!Files.isDirectory(idx)) {
            throw new DpdmException("--synthetic " + dir + ": no " + IDX + "/ folder (sample with the idx output"
                    + " format to evaluate)");
        }
        ImageDataset images = Datasets.open(idx, LoadOptions.defaults());
        if (images.train().size() < 2) {
            throw new DpdmException("--synthetic " + idx + ": expected at least 2 images, got " + images.train().size());
        }
        if (run.isEmpty()) {
            run = runOf(manifest);
        }
        return new SyntheticSet(dir, images, manifest, run);
    }

    /** The run folder of the manifest's checkpoint, if that checkpoint still sits in a run folder. */
    private static Optional<Path> runOf(JsonNode manifest) {
        String checkpoint = manifest.path("model").path("checkpoint").asText("");
        if (checkpoint.isEmpty()) {
            return Optional.empty();
        }
        Path file = Path.of(checkpoint);
        Path parent = file.toAbsolutePath().getParent();
        return parent != null && file.getFileName().toString().equals(CHECKPOINT) && Files.isDirectory(parent)
                ? Optional.of(parent) : Optional.empty();
    }
}
