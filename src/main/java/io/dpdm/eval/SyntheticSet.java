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
 * {@code classes.txt}). A training run folder (with {@code model.zip}) is accepted too when it
 * holds such a set in {@code synthetic/}. The training run (for the operator's loss and epsilon
 * curves) is the folder given, or the folder a {@code synthetic/} set sits in; a manifest names
 * no path, so a set elsewhere has no run.
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
    /** What marks a training run folder: its shareable model. */
    static final String RUN_MARKER = io.dpdm.model.ModelCheckpoint.MODEL_IN_RUN;

    /** Opens a synthetic set folder or a run folder holding one in {@value #IN_RUN}/. */
    public static SyntheticSet open(Path path) {
        if (!Files.isDirectory(path)) {
            throw new DpdmException("--synthetic " + path + ": no such folder (expected the output of dpdm sample"
                    + " or a training run folder)");
        }
        Optional<Path> run = Optional.empty();
        Path dir = path;
        if (!Files.isRegularFile(path.resolve(MANIFEST)) && Files.isRegularFile(path.resolve(RUN_MARKER))) {
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
            run = runAround(dir);
        }
        return new SyntheticSet(dir, images, manifest, run);
    }

    /** The run folder a set made by the demo sits in ({@code RUN/synthetic}), if any. */
    private static Optional<Path> runAround(Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        return parent != null && dir.getFileName().toString().equals(IN_RUN)
                && Files.isRegularFile(parent.resolve(RUN_MARKER)) ? Optional.of(parent) : Optional.empty();
    }
}
