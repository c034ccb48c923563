package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Per-example clipping (DP-SGD step 2, Abadi et al. 2016, Algorithm 1): computes each example's
 * scale factor and the clipped sum of a micro-batch.
 *
 * <p>A per-example gradient with any non-finite value (NaN, +-Inf, or a float32 norm that
 * overflows, i.e. above ~1.8e19) gets factor 0: the whole example's gradient is replaced by zero
 * before clipping, so one bad example cannot poison the update. Zero is a valid clipped gradient,
 * so the sensitivity stays C.
 *
 * @param mode flat or per-layer (see {@link Clipping} for how C is split)
 * @param clipNorm C > 0
 */
public record Clipper(Clipping mode, double clipNorm) {
    /** The 1e-6 of min(1, C / (||g|| + 1e-6)), as in Opacus and DPDM. */
    static final double NORM_EPS = 1e-6;

    public Clipper {
        if (mode == null) {
            throw new IllegalArgumentException("clipping mode must be given");
        }
        if (!(clipNorm > 0 && Double.isFinite(clipNorm))) {
            throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
        }
    }

    /**
     * Scale factors [layer][example] for per-example gradients of shape (B, ...), one per
     * parameter tensor; in flat mode every layer's row is the same. Zero for a non-finite example.
     */
    public double[][] factors(List<NDArray> perExample) {
        int layers = perExample.size();
        int batch = Math.toIntExact(perExample.get(0).getShape().get(0));
        // One (layers, B) array of norms crosses to the host, not one per layer: each crossing
        // is a native call and a copy, and networks have dozens of parameter tensors.
        NDList norms = new NDList(layers);
        for (NDArray g : perExample) {
            norms.add(g.reshape(batch, -1).norm(new int[] {1}));
        }
        float[] all = NDArrays.stack(norms).toFloatArray();
        double[][] squares = new double[layers][batch];
        for (int l = 0; l < layers; l++) {
            for (int b = 0; b < batch; b++) {
                double norm = all[l * batch + b];
                squares[l][b] = norm * norm;
            }
        }
        double[][] factors = new double[layers][batch];
        double layerNorm = clipNorm / Math.sqrt(layers);
        for (int b = 0; b < batch; b++) {
            double total = 0;
            for (int l = 0; l < layers; l++) {
                total += squares[l][b];
            }
            if (!Double.isFinite(total)) {
                continue; // whole example stays 0
            }
            for (int l = 0; l < layers; l++) {
                factors[l][b] = mode == Clipping.FLAT
                        ? Math.min(1, clipNorm / (Math.sqrt(total) + NORM_EPS))
                        : Math.min(1, layerNorm / (Math.sqrt(squares[l][b]) + NORM_EPS));
            }
        }
        return factors;
    }

    /**
     * sum_b factor[b] * g[b] for one layer, shape = the parameter's shape. Non-finite elements
     * are zeroed first (only when the example has factor 0), because NaN * 0 is NaN.
     */
    static NDArray clippedSum(NDArray perExample, double[] factor, Shape paramShape) {
        int batch = factor.length;
        NDArray flat = perExample.reshape(batch, -1);
        boolean anyZeroed = false;
        float[] weights = new float[batch];
        for (int b = 0; b < batch; b++) {
            weights[b] = (float) factor[b];
            anyZeroed |= factor[b] == 0;
        }
        if (anyZeroed) {
            NDArray finite = flat.isNaN().logicalOr(flat.isInfinite()).logicalNot();
            flat = NDArrays.where(finite, flat, flat.zerosLike());
        }
        NDArray w = flat.getManager().create(weights, new Shape(1, batch));
        return w.matMul(flat).reshape(paramShape);
    }
}
