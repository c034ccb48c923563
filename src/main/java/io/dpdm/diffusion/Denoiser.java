package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * A denoiser D(x; sigma, label) ~ E[x0 | x0 + sigma n = x] as the samplers use it: no gradient is
 * recorded (call it outside any GradientCollector). Results belong to {@code x}'s manager.
 */
@FunctionalInterface
public interface Denoiser {
    /**
     * @param x noisy images, shape (rows, C, H, W)
     * @param sigma noise level per row (length rows, each > 0)
     * @param labels class index per row (numClasses = "no class"), or null when unconditional
     * @return the denoised estimate, same shape as {@code x}
     */
    NDArray denoise(NDArray x, double[] sigma, int[] labels);
}
