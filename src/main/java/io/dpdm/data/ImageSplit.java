package io.dpdm.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

    /**
     * The identities of the chosen records: the first 8 bytes of SHA-256(label (4 bytes) | uint8
     * pixels), a function of each record's own content. The per-example randomness of private
     * training is keyed by it ({@code io.dpdm.dp.ExampleRandomness}), so inserting or removing a
     * record changes no other record's draws; identical records share an identity.
     */
    public long[] recordIds(int[] indices) {
        MessageDigest sha = sha256();
        int n = shape.size();
        long[] ids = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int image = Objects.checkIndex(indices[i], labels.length);
            sha.update(ByteBuffer.allocate(4).putInt(labels[image]).array());
            sha.update(pixels, image * n, n);
            ids[i] = ByteBuffer.wrap(sha.digest()).getLong();
        }
        return ids;
    }

    /** Feeds the split (size, then every image's label and pixels) into {@code sha}. */
    void digest(MessageDigest sha) {
        sha.update(ByteBuffer.allocate(4).putInt(labels.length).array());
        ByteBuffer label = ByteBuffer.allocate(4);
        for (int i = 0; i < labels.length; i++) {
            sha.update(label.clear().putInt(labels[i]).array());
            sha.update(pixels, i * shape.size(), shape.size());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
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
