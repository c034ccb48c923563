package io.dpdm.classify;

import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import java.util.SplittableRandom;

/**
 * An easy, separable image problem: class k lights up horizontal band k of the image (pixel
 * 200 on a background of 40), with uniform pixel noise of +-30 everywhere.
 */
final class Blobs {
    private Blobs() {}

    static ImageSplit split(ImageShape shape, int classes, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int size = shape.size();
        byte[] pixels = new byte[n * size];
        int[] labels = new int[n];
        int band = shape.height() / classes;
        for (int i = 0; i < n; i++) {
            int k = i % classes;
            labels[i] = k;
            for (int c = 0; c < shape.channels(); c++) {
                for (int y = 0; y < shape.height(); y++) {
                    for (int x = 0; x < shape.width(); x++) {
                        int base = y / band == k ? 200 : 40;
                        int v = Math.max(0, Math.min(255, base + random.nextInt(-30, 31)));
                        pixels[i * size + (c * shape.height() + y) * shape.width() + x] = (byte) v;
                    }
                }
            }
        }
        return new ImageSplit(shape, pixels, labels);
    }
}
