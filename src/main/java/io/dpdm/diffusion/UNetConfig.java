package io.dpdm.diffusion;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyperparameters of the DDPM++ U-Net denoiser ({@link UNet}).
 *
 * @param imageSize height = width of the images in pixels
 * @param channels image channels (1 grey, 3 colour)
 * @param baseChannels nf: channels after the input convolution; the noise embedding has nf
 *     dimensions and the time-embedding MLP 4 nf
 * @param channelMultipliers per resolution level, channels = nf * multiplier; level l works at
 *     resolution imageSize / 2^l
 * @param resBlocks residual blocks per level on the way down (one more on the way up)
 * @param attentionResolutions resolutions (in pixels) at which self-attention is applied; each
 *     must be one of the levels' resolutions
 * @param dropout dropout rate inside residual blocks, in [0, 1)
 * @param numClasses number of class labels, 0 = unconditional; label index numClasses means "no
 *     class" (classifier-free guidance)
 * @param patchSize 1, or p &gt; 1: the network works on p x p patches stacked as channels (space
 *     to depth, as DiT's patch embedding; 0 in old files means 1), so its first level runs at
 *     imageSize / p with C p^2 input channels, about p^2 times cheaper; resolutions (levels,
 *     attention) are then those of the patch grid
 */
public record UNetConfig(int imageSize, int channels, int baseChannels, List<Integer> channelMultipliers,
        int resBlocks, List<Integer> attentionResolutions, double dropout, int numClasses, int patchSize) {
    /** A network on pixels (patch size 1). */
    public UNetConfig(int imageSize, int channels, int baseChannels, List<Integer> channelMultipliers, int resBlocks,
            List<Integer> attentionResolutions, double dropout, int numClasses) {
        this(imageSize, channels, baseChannels, channelMultipliers, resBlocks, attentionResolutions, dropout,
                numClasses, 1);
    }

    public UNetConfig {
        patchSize = patchSize == 0 ? 1 : patchSize;
        atLeast("patchSize", patchSize, 1);
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("patchSize " + patchSize + " must divide imageSize " + imageSize);
        }
        channelMultipliers = List.copyOf(positive("channelMultipliers", channelMultipliers));
        attentionResolutions = List.copyOf(positive("attentionResolutions", attentionResolutions));
        atLeast("imageSize", imageSize, 1);
        atLeast("channels", channels, 1);
        atLeast("baseChannels", baseChannels, 4);
        atLeast("resBlocks", resBlocks, 1);
        atLeast("numClasses", numClasses, 0);
        if (channelMultipliers.isEmpty()) {
            throw new IllegalArgumentException("channelMultipliers must not be empty");
        }
        if (baseChannels % 2 != 0) {
            // The sinusoidal embedding is [sin, cos] of nf/2 frequencies.
            throw new IllegalArgumentException("baseChannels must be even, got " + baseChannels);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        int levels = channelMultipliers.size();
        int grid = imageSize / patchSize;
        if (levels > 30 || grid % (1 << (levels - 1)) != 0) {
            throw new IllegalArgumentException("imageSize / patchSize = " + grid + " is not divisible by 2^(levels-1)"
                    + " = 2^" + (levels - 1) + " for " + levels + " channelMultipliers");
        }
        List<Integer> resolutions = new ArrayList<>();
        for (int l = 0; l < levels; l++) {
            resolutions.add(grid >> l);
        }
        for (int r : attentionResolutions) {
            if (!resolutions.contains(r)) {
                throw new IllegalArgumentException("attentionResolutions: " + r + " never occurs; the resolutions are "
                        + resolutions);
            }
        }
        for (UNetLayout.Step step : UNetLayout.steps(grid, baseChannels, channelMultipliers, resBlocks,
                attentionResolutions)) {
            if (step instanceof UNetLayout.Residual r) {
                normalisable(r.in(), baseChannels, channelMultipliers);
                normalisable(r.out(), baseChannels, channelMultipliers);
            }
        }
    }

    /** DPDM's 28x28 greyscale network (MNIST, Fashion-MNIST): nf 32, (1, 2, 2), 2 blocks, attention at 7. */
    public static UNetConfig dpdm28(int numClasses) {
        return new UNetConfig(28, 1, 32, List.of(1, 2, 2), 2, List.of(7), 0, numClasses);
    }

    /** DPDM's 32x32 colour network (CelebA), unconditional, attention at 16 and 8. */
    public static UNetConfig celeba32() {
        return new UNetConfig(32, 3, 32, List.of(1, 2, 2), 2, List.of(16, 8), 0, 0);
    }

    /** A small network with every kind of block, for tests: 8x8 images, nf 8, (1, 2), attention at 4. */
    public static UNetConfig tiny(int channels, int numClasses) {
        return new UNetConfig(8, channels, 8, List.of(1, 2), 1, List.of(4), 0, numClasses);
    }

    /** The side of the grid the first level works on: imageSize / patchSize. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /**
     * The most rows (images, or draws of them), a power of two and at least 1, whose first-level
     * activation map (rows x base channels x grid side^2) fits {@code bytes} at
     * {@code bytesPerElement}: the size that keeps a pass's activations near the caches.
     */
    public int rowsWithin(long bytes, int bytesPerElement) {
        long perRow = (long) bytesPerElement * baseChannels * gridSize() * gridSize();
        return Integer.highestOneBit((int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / perRow)));
    }

    /** Number of resolution levels. */
    public int levels() {
        return channelMultipliers.size();
    }

    /** True when the network takes class labels. */
    public boolean conditional() {
        return numClasses > 0;
    }

    private static List<Integer> positive(String field, List<Integer> values) {
        if (values == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        for (Integer v : values) {
            if (v == null || v < 1) {
                throw new IllegalArgumentException(field + " must hold integers >= 1, got " + values);
            }
        }
        return values;
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", got " + value);
        }
    }

    /** Group normalisation with min(C/4, 32) groups needs C divisible by the group count. */
    private static void normalisable(int width, int baseChannels, List<Integer> channelMultipliers) {
        int groups = UNetLayout.groups(width);
        if (groups < 1 || width % groups != 0) {
            throw new IllegalArgumentException("baseChannels " + baseChannels + " with channelMultipliers "
                    + channelMultipliers + " gives a " + width + "-channel group norm, not divisible into min(C/4, 32) = "
                    + groups + " groups");
        }
    }
}
