package io.dpdm.warmstart;

import java.util.Objects;

/**
 * Images released under differential privacy (the noisy class means of {@link CentralImages}):
 * what the warm start may train on, and nothing else. Values in [-1, 1], channel-first, image
 * after image.
 *
 * @param channels C
 * @param height H
 * @param width W
 * @param images labels.length * C * H * W values
 * @param labels the class of each image
 */
public record ReleasedImages(int channels, int height, int width, float[] images, int[] labels) {
    public ReleasedImages {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (channels < 1 || height < 1 || width < 1 || labels.length < 1
                || images.length != (long) labels.length * channels * height * width) {
            throw new IllegalArgumentException("released images: " + images.length + " values for " + labels.length
                    + " images of " + channels + "x" + height + "x" + width);
        }
    }

    public int count() {
        return labels.length;
    }

    public int imageSize() {
        return channels * height * width;
    }
}
