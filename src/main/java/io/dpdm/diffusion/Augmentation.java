package io.dpdm.diffusion;

import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * Augmentation multiplicity (Ghalebikesabi et al. 2023): each of an example's K draws may see its
 * own augmented view, and the per-example loss averages over them before clipping, so the
 * privacy cost is unchanged. Views are horizontal flips (probability 1/2 per draw) and integer
 * shifts of up to {@code maxShift} pixels per axis with reflection padding (the pixel at -i is the
 * pixel at +i), which keeps image statistics at the border unlike zero padding.
 *
 * @param flip whether each draw is flipped left-right with probability 1/2
 * @param maxShift largest shift in pixels along each axis (0 = none)
 */
public record Augmentation(boolean flip, int maxShift) {
    /** No augmentation: every draw sees the example as it is (the default). */
    public static final Augmentation NONE = new Augmentation(false, 0);

    public Augmentation {
        if (maxShift < 0) {
            throw new IllegalArgumentException("augmentation maxShift must be >= 0, got " + maxShift);
        }
    }

    public boolean enabled() {
        return flip || maxShift > 0;
    }

    /**
     * The K draw-major views of B examples: row k*B + b is a view of example b.
     *
     * @param x0 B images of C x H x W floats, example-major
     * @param rowRandomness the generator of each row: one boolean when flipping, then dx, dy when
     *     shifting
     */
    float[] views(float[] x0, int examples, int channels, int height, int width, int draws,
            IntFunction<RandomGenerator> rowRandomness) {
        if (maxShift >= Math.min(height, width)) {
            throw new IllegalArgumentException(
                    "augmentation maxShift must be < image side " + Math.min(height, width) + ", got " + maxShift);
        }
        int size = channels * height * width;
        float[] out = new float[draws * examples * size];
        for (int row = 0; row < draws * examples; row++) {
            RandomGenerator randomness = rowRandomness.apply(row);
            boolean mirror = flip && randomness.nextBoolean();
            int dx = maxShift > 0 ? randomness.nextInt(-maxShift, maxShift + 1) : 0;
            int dy = maxShift > 0 ? randomness.nextInt(-maxShift, maxShift + 1) : 0;
            int src = (row % examples) * size;
            int dst = row * size;
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    int sy = reflect(y - dy, height);
                    for (int x = 0; x < width; x++) {
                        int sx = reflect(x - dx, width);
                        if (mirror) {
                            sx = width - 1 - sx;
                        }
                        out[dst + (c * height + y) * width + x] = x0[src + (c * height + sy) * width + sx];
                    }
                }
            }
        }
        return out;
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }
}
