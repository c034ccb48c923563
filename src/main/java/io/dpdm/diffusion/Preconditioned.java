package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Weights;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntFunction;

/**
 * EDM's preconditioning wrapper (Karras et al. 2022, eq. 7):
 * D(x; sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, c_noise(sigma)). The coefficients
 * are computed per row in Java doubles from the {@link Preconditioning} and broadcast over the
 * image axes; the backbone never sees sigma.
 *
 * @param backbone the network F
 * @param preconditioning the c_skip / c_out / c_in / c_noise formulas
 */
public record Preconditioned(Backbone backbone, Preconditioning preconditioning) {
    public Preconditioned {
        if (backbone == null || preconditioning == null) {
            throw new IllegalArgumentException("backbone and preconditioning must not be null");
        }
    }

    /**
     * D(x; sigma) for a pass with parameters {@code w}; differentiable when {@code w} is.
     *
     * @param x noisy images (rows, C, H, W)
     * @param sigma noise level per row
     * @param labels int32 labels per row, or null when unconditional
     */
    public NDArray apply(Weights w, NDArray x, double[] sigma, NDArray labels) {
        long rows = x.getShape().get(0);
        if (sigma.length != rows) {
            throw new IllegalArgumentException(
                    "need one sigma per row: " + rows + " rows, " + sigma.length + " sigmas");
        }
        NDManager m = x.getManager();
        int dims = x.getShape().dimension();
        Preconditioning p = preconditioning;
        NDArray f = backbone.apply(w, x.mul(column(m, sigma, p::cIn, dims)), perRow(m, sigma, p::cNoise), labels);
        return x.mul(column(m, sigma, p::cSkip, dims)).add(f.mul(column(m, sigma, p::cOut, dims)));
    }

    /**
     * This model as a sampling {@link Denoiser}.
     *
     * @param sharedWeights for a row count, the shared-mode parameter view for a pass of that many
     *     rows (one draw per row)
     */
    public Denoiser denoiser(IntFunction<Weights> sharedWeights) {
        return (x, sigma, labels) -> {
            NDArray labelArray = labels == null ? null : x.getManager().create(labels);
            return apply(sharedWeights.apply(Math.toIntExact(x.getShape().get(0))), x, sigma, labelArray);
        };
    }

    /** f(sigma) per row as float32 of shape (rows). */
    static NDArray perRow(NDManager m, double[] sigma, DoubleUnaryOperator f) {
        float[] v = new float[sigma.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) f.applyAsDouble(sigma[i]);
        }
        return m.create(v);
    }

    /** f(sigma) per row shaped (rows, 1, ..., 1) to broadcast over an array of {@code dims} axes. */
    static NDArray column(NDManager m, double[] sigma, DoubleUnaryOperator f, int dims) {
        long[] shape = new long[dims];
        java.util.Arrays.fill(shape, 1);
        shape[0] = sigma.length;
        return perRow(m, sigma, f).reshape(new Shape(shape));
    }
}
