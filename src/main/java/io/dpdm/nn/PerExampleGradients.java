package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;

/**
 * The per-example gradients of one micro-batch, as clipping needs them: each example's squared
 * norm per parameter, and weighted sums over examples. Whether the (B, ...parameter shape)
 * gradients are ever materialised is the implementation's business: {@link #of} wraps
 * materialised ones (expanded weights), {@link Gradients#factored} keeps layer inputs and output
 * gradients instead and forms norms and sums from them.
 */
public interface PerExampleGradients {
    /** B, the number of examples. */
    int examples();

    /** Every parameter's name and shape (without the example axis). */
    Map<String, Shape> shapes();

    /**
     * Squared L2 norm of each example's gradient of one parameter, shape (B). Non-finite (or
     * overflowing) when the example's gradient has a non-finite value.
     */
    NDArray squaredNorms(String name);

    /**
     * {@link #squaredNorms(String)} of each named parameter, [parameter][example]. One (names, B)
     * array crosses to the host, not one per parameter: each crossing is a native call and a
     * copy, and networks have dozens of parameter tensors.
     */
    default double[][] squaredNorms(List<String> names) {
        NDList perName = new NDList(names.size());
        for (String name : names) {
            perName.add(squaredNorms(name));
        }
        float[] all = NDArrays.stack(perName).toFloatArray();
        int b = examples();
        double[][] out = new double[names.size()][b];
        for (int l = 0; l < out.length; l++) {
            for (int e = 0; e < b; e++) {
                out[l][e] = all[l * b + e];
            }
        }
        return out;
    }

    /**
     * sum_b weights[b] * (example b's gradient of {@code name}), in the parameter's shape.
     * An example with weight 0 contributes exactly 0, even if its gradient is not finite.
     */
    NDArray weightedSum(String name, float[] weights);

    /** Materialised per-example gradients, each (B, ...parameter shape). */
    static PerExampleGradients of(Map<String, NDArray> perExample) {
        if (perExample.isEmpty()) {
            throw new IllegalArgumentException("no per-example gradients");
        }
        return new MaterialisedGradients(perExample,
                Math.toIntExact(perExample.values().iterator().next().getShape().get(0)));
    }
}
