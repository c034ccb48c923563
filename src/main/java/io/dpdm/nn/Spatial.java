package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Spatial layers without parameters (identical in both modes): non-overlapping
 * average and max pooling (kernel = stride = size, no padding, floor) and nearest-neighbour
 * up-sampling by 2, and flattening.
 */
public final class Spatial {
    private Spatial() {}

    /** size x size average pooling (the DDPM++ down-sampling, size 2). */
    public record AvgPool2d(int size) implements Layer {
        public AvgPool2d {
            if (size < 1) {
                throw new IllegalArgumentException("pooling size must be >= 1, got " + size);
            }
        }

        @Override
        public NDArray forward(Weights w, NDArray x) {
            Shape k = new Shape(size, size);
            return x.getNDArrayInternal().avgPool(k, k, new Shape(0, 0), false, true);
        }
    }

    /** size x size max pooling. */
    public record MaxPool2d(int size) implements Layer {
        public MaxPool2d {
            if (size < 1) {
                throw new IllegalArgumentException("pooling size must be >= 1, got " + size);
            }
        }

        @Override
        public NDArray forward(Weights w, NDArray x) {
            Shape k = new Shape(size, size);
            return x.getNDArrayInternal().maxPool(k, k, new Shape(0, 0), false);
        }
    }

    /** Nearest-neighbour up-sampling by 2 in both directions (the DDPM++ up-sampling). */
    public static final Layer UPSAMPLE_NEAREST_2X = (w, x) -> {
        Shape s = x.getShape();
        return x.getNDArrayInternal().interpolation(new long[] {s.get(2) * 2, s.get(3) * 2}, 0, false);
    };

    /** (N, ...) -> (N, product of the rest). */
    public static final Layer FLATTEN = (w, x) -> x.reshape(x.getShape().get(0), -1);
}
