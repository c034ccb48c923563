package io.dpdm.data;

/**
 * Shape of one image, channel-first as the networks consume it.
 *
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param height rows of pixels
 * @param width columns of pixels
 */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
    }

    /** Values per image: channels * height * width. */
    public int size() {
        return channels * height * width;
    }

    /** "28x28x1" (height x width x channels), the form users read in reports. */
    @Override
    public String toString() {
        return height + "x" + width + "x" + channels;
    }
}
