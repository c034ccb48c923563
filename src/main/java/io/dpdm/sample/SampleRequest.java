package io.dpdm.sample;

import io.dpdm.nn.Precision;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * A request to generate a synthetic data set from a trained model.
 *
 * @param model a run directory (holding checkpoint.zip) or a checkpoint file
 * @param count number of images; 0 = "take it from {@code classes}" (per-class counts)
 * @param classes the {@code --classes} value (see {@link ClassPlan#parse}), or null for all classes
 * @param settings noise grid, solver and guidance
 * @param seed image i is generated from seed + i
 * @param batchSize images per denoiser pass (bounds memory; results do not depend on it)
 * @param weights EMA (default) or raw weights
 * @param out output folder (absent or empty)
 * @param formats image files to write
 * @param precision of the denoiser's convolutions and products (AUTO: the faster on this CPU)
 */
public record SampleRequest(Path model, int count, String classes, SamplerSettings settings, long seed, int batchSize,
        WeightSet weights, Path out, Set<OutputFormat> formats, Precision precision) {
    public SampleRequest {
        if (model == null || settings == null || weights == null || out == null || formats == null || precision == null) {
            throw new IllegalArgumentException(
                    "sample request needs a model, settings, weights, an output folder, formats and a precision");
        }
        if (count < 0 || (count == 0 && classes == null)) {
            throw new IllegalArgumentException("--count must be >= 1, got " + count);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("choose at least one output format (png, idx)");
        }
        formats = Set.copyOf(EnumSet.copyOf(formats));
    }

    /** A request in float32. */
    public SampleRequest(Path model, int count, String classes, SamplerSettings settings, long seed, int batchSize,
            WeightSet weights, Path out, Set<OutputFormat> formats) {
        this(model, count, classes, settings, seed, batchSize, weights, out, formats, Precision.FP32);
    }
}
