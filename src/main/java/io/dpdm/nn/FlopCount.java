package io.dpdm.nn;

import ai.djl.ndarray.types.Shape;

/**
 * Analytic FLOPs (two per multiply-add) of the matrix products that forward passes run on the
 * calling thread: convolutions, dense layers and attention's two batched products, counted from
 * the operands' shapes as the layers run. Elementwise work (norms, activations, softmax) is left
 * out: it is memory-bound and a small share of the arithmetic. Benchmarks divide these FLOPs by
 * time so that the distance to the machine's peak is visible.
 */
public final class FlopCount {
    private static final ThreadLocal<long[]> COUNTER = new ThreadLocal<>();

    private FlopCount() {}

    /** FLOPs of the products that {@code pass} runs on this thread. */
    public static long of(Runnable pass) {
        long[] outer = COUNTER.get();
        long[] count = {0};
        COUNTER.set(count);
        try {
            pass.run();
        } finally {
            COUNTER.set(outer);
        }
        if (outer != null) {
            outer[0] += count[0];
        }
        return count[0];
    }

    static boolean active() {
        return COUNTER.get() != null;
    }

    /**
     * A product whose output has {@code output} elements, each a dot product of length
     * {@code inner}.
     */
    static void product(Shape output, long inner) {
        COUNTER.get()[0] += 2 * output.size() * inner;
    }
}
