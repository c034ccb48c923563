package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Standard normal noise for a batch of images in which row i draws only from image i's own
 * generator (EDM's per-image seeding). Every image consumes the same sequence of draws in every
 * batch, so its result depends on its seed alone, not on the batch it lands in.
 */
public final class ImageNoise {
    /** A specified JDK algorithm, so a seed means the same stream on every JVM. */
    private static final RandomGeneratorFactory<RandomGenerator> ALGORITHM =
            RandomGeneratorFactory.of("L64X128MixRandom");

    private final RandomGenerator[] generators;
    private final Shape shape;

    ImageNoise(long[] seeds, Shape imageShape) {
        generators = new RandomGenerator[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            generators[i] = ALGORITHM.create(seeds[i]);
        }
        long[] dims = new long[imageShape.dimension() + 1];
        dims[0] = seeds.length;
        System.arraycopy(imageShape.getShape(), 0, dims, 1, imageShape.dimension());
        shape = new Shape(dims);
    }

    /** The next (rows, C, H, W) standard normal draw. */
    NDArray next(NDManager manager) {
        int size = Math.toIntExact(shape.size() / generators.length);
        float[] z = new float[Math.toIntExact(shape.size())];
        for (int row = 0; row < generators.length; row++) {
            for (int j = 0; j < size; j++) {
                z[row * size + j] = (float) generators[row].nextGaussian();
            }
        }
        return manager.create(z, shape);
    }
}
