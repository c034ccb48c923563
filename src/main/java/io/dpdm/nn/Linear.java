package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Affine map of the last axis, y = x W + b with W stored (in, out) (the DDPM++ "NIN"/Dense
 * orientation), so any activation (N, ..., in) works, e.g. attention tokens (N, HW, C).
 * Per-example mode: W (B, in, out) applied with one batched matrix product (see {@link PerExample});
 * factored mode: observed as a {@link LinearMap}.
 *
 * @param weight name of W
 * @param bias name of b, or null for none
 */
public record Linear(String weight, String bias) implements Layer {
    /** Dense layer with zero bias and variance-scaling scale 1. */
    public static Linear create(ParameterStore s, String name, int in, int out) {
        return create(s, name, in, out, true, 1.0);
    }

    /** @param initScale DDPM variance-scaling scale; 0 = almost-zero (1e-10) initialisation */
    public static Linear create(ParameterStore s, String name, int in, int out, boolean bias, double initScale) {
        s.varianceScaling(name + ".weight", new Shape(in, out), initScale);
        if (bias) {
            s.zeros(name + ".bias", new Shape(out));
        }
        return new Linear(name + ".weight", bias ? name + ".bias" : null);
    }

    @Override
    public NDArray forward(Weights w, NDArray x) {
        NDArray y = PerExample.matMul(w, x, w.get(weight), bias == null ? null : w.get(bias));
        if (FlopCount.active()) {
            FlopCount.product(y.getShape(), x.getShape().get(x.getShape().dimension() - 1));
        }
        return w.perExample() ? y : w.observe(map(weight, bias), x, y);
    }

    /**
     * A product with a weight stored (in, out) as factored mode sees it: rows are the positions
     * of the leading-axis row (e.g. attention tokens), values the last axis.
     */
    static LinearMap map(String weight, String bias) {
        return new LinearMap(weight, bias, false, Linear::rows, Linear::rows, null);
    }

    private static NDArray rows(NDArray a) {
        return a.reshape(a.getShape().get(0), -1, a.getShape().get(a.getShape().dimension() - 1));
    }
}
