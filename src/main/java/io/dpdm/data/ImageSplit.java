package io.dpdm.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * One split (train or test) of an image data set, stored compactly: uint8 pixels, image after
 * image, each channel-first (C, H, W), plus one class label per image. 60,000 28x28 images take
 * 47 MB. Conversion to model inputs happens per batch ({@link #images}), so the float copy of the
 * whole set never exists. This is the only class of the data package that touches DJL.
 */
public final class ImageSplit {
    private final ImageShape shape;
    private final byte[] pixels;
    private final int[] labels;

    /**
     * @param shape shape of every image
     * @param pixels labels.length * shape.size() uint8 values (taken over, not copied)
     * @param labels class index of each image, each >= 0 (taken over, not copied)
     */
    public ImageSplit(ImageShape shape, byte[] pixels, int[] labels) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        this.labels = Objects.requireNonNull(labels, "labels");
        if ((long) labels.length * shape.size() != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel values do not make "
                    + labels.length + " images of " + shape);
        }
        for (int label : labels) {
            if (label < 0) {
                throw new IllegalArgumentException("negative class label " + label);
            }
        }
    }

    public static ImageSplit empty(ImageShape shape) {
        return new ImageSplit(shape, new byte[0], new int[0]);
    }

    /**
     * Builds a split from images in [-1, 1] (e.g. generated samples), rounding to uint8.
     *
     * @param images n * shape.size() values, channel-first per image
     */
    public static ImageSplit fromSigned(ImageShape shape, float[] images, int[] labels) {
        byte[] bytes = new byte[images.length];
        for (int i = 0; i < images.length; i++) {
            bytes[i] = (byte) Pixels.toUint8(images[i]);
        }
        return new ImageSplit(shape, bytes, labels.clone());
    }

    public ImageShape shape() {
        return shape;
    }

    public int size() {
        return labels.length;
    }

    public int label(int image) {
        return labels[image];
    }

    public int[] labels() {
        return labels.clone();
    }

    /** Pixel value 0..255 at position {@code offset} (channel-first) of image {@code image}. */
    public int pixel(int image, int offset) {
        Objects.checkIndex(offset, shape.size());
        return pixels[image * shape.size() + offset] & 0xff;
    }

    /** The uint8 pixels of one image (a copy), channel-first. */
    public byte[] rawImage(int image) {
        Objects.checkIndex(image, labels.length);
        int n = shape.size();
        return Arrays.copyOfRange(pixels, image * n, (image + 1) * n);
    }

    /** Number of images of each class 0..numClasses-1. */
    public int[] classCounts(int numClasses) {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Smallest and largest uint8 pixel value over the split as {min, max}; {0, 0} when empty. */
    public int[] pixelRange() {
        if (pixels.length == 0) {
            return new int[] {0, 0};
        }
        int min = 255;
        int max = 0;
        for (byte b : pixels) {
            int v = b & 0xff;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new int[] {min, max};
    }

    /** The chosen images scaled to [-1, 1] ({@link Pixels#toSigned}), n * shape.size() values. */
    public float[] signed(int[] indices) {
        int n = shape.size();
        float[] out = new float[indices.length * n];
        for (int i = 0; i < indices.length; i++) {
            int from = Objects.checkIndex(indices[i], labels.length) * n;
            for (int j = 0; j < n; j++) {
                out[i * n + j] = Pixels.toSigned(pixels[from + j] & 0xff);
            }
        }
        return out;
    }

    /** The chosen images as a float32 array (n, C, H, W) in [-1, 1], owned by {@code manager}. */
    public NDArray images(NDManager manager, int[] indices) {
        return manager.create(signed(indices),
                new Shape(indices.length, shape.channels(), shape.height(), shape.width()));
    }

    /** The labels of the chosen images as an int32 array (n), owned by {@code manager}. */
    public NDArray labels(NDManager manager, int[] indices) {
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = labels[indices[i]];
        }
        return manager.create(out);
    }
}
