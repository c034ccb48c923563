package io.dpdm.sample;

/**
 * What to generate: one image per seed, optionally with a class label each.
 *
 * @param seeds the seed of each image (its noise comes from this seed alone)
 * @param labels class per image (0..numClasses, numClasses = "no class"), or null when
 *     numClasses = 0
 * @param numClasses number of classes of the model, 0 = unconditional
 * @param channels image channels
 * @param height image height
 * @param width image width
 * @param batchSize images per denoiser pass (bounds memory; results do not depend on it)
 */
public record SampleJob(long[] seeds, int[] labels, int numClasses, int channels, int height, int width,
        int batchSize) {
    public SampleJob {
        if (seeds == null || seeds.length == 0) {
            throw new IllegalArgumentException("need at least one image seed");
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0 (0 = unconditional), got " + numClasses);
        }
        if (numClasses == 0 && labels != null) {
            throw new IllegalArgumentException("labels given for an unconditional model");
        }
        if (numClasses > 0) {
            if (labels == null || labels.length != seeds.length) {
                throw new IllegalArgumentException("need one label per image: " + seeds.length + " images, "
                        + (labels == null ? "no" : labels.length) + " labels");
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] > numClasses) {
                    throw new IllegalArgumentException(
                            "label " + labels[i] + " of image " + i + " is outside [0, " + numClasses + "]");
                }
            }
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
    }

    /** Seeds first, first + 1, ..., first + count - 1. */
    public static long[] seedRange(long first, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("image count must be >= 1, got " + count);
        }
        long[] s = new long[count];
        for (int i = 0; i < count; i++) {
            s[i] = first + i;
        }
        return s;
    }

    public int count() {
        return seeds.length;
    }

    public int imageSize() {
        return channels * height * width;
    }
}
