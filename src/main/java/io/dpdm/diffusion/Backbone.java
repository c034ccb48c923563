package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import io.dpdm.nn.Weights;

/**
 * The raw network F of the EDM decomposition D = c_skip x + c_out F(c_in x, c_noise). It never sees
 * sigma itself, only the preconditioned input and the noise conditioning c_noise.
 */
@FunctionalInterface
public interface Backbone {
    /**
     * @param w the parameters of this pass (shared or per-example; rows follow {@link Weights})
     * @param xIn c_in(sigma) * x, shape (rows, C, H, W), rows = draws * examples, draw-major
     * @param cNoise c_noise(sigma) per row, float32 of shape (rows)
     * @param classLabels int32 class index per row, shape (rows), the index {@code numClasses}
     *     meaning "no class"; null for an unconditional network
     * @return F, same shape as {@code xIn}
     */
    NDArray apply(Weights w, NDArray xIn, NDArray cNoise, NDArray classLabels);
}
