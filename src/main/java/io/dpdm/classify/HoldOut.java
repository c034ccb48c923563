package io.dpdm.classify;

import io.dpdm.data.ImageSplit;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded random hold-out of a split for epoch selection (DPDM's protocol selects the epoch on
 * held-out data of the set the classifier is trained on: synthetic data when evaluating a
 * synthetic set, never the real test split).
 *
 * @param train the images kept for training
 * @param validation the held-out images, or null when the fraction rounds to no image
 */
public record HoldOut(ImageSplit train, ImageSplit validation) {
    /** Holds out round(fraction * size) images chosen by a Fisher-Yates shuffle seeded with {@code seed}. */
    public static HoldOut of(ImageSplit split, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("hold-out fraction must be in [0, 1), got " + fraction);
        }
        int held = (int) Math.round(split.size() * fraction);
        if (held == 0) {
            return new HoldOut(split, null);
        }
        int[] order = new int[split.size()];
        Arrays.setAll(order, i -> i);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5eedL);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new HoldOut(subset(split, Arrays.copyOfRange(order, held, order.length)),
                subset(split, Arrays.copyOfRange(order, 0, held)));
    }

    /** The chosen images of a split, in the order given (a copy). */
    public static ImageSplit subset(ImageSplit split, int[] indices) {
        int n = split.shape().size();
        byte[] pixels = new byte[indices.length * n];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(split.rawImage(indices[i]), 0, pixels, i * n, n);
            labels[i] = split.label(indices[i]);
        }
        return new ImageSplit(split.shape(), pixels, labels);
    }
}
