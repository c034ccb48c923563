package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.diffusion.Denoiser;

/**
 * Data N(mu_c, s^2) per pixel (mu_c per class; the unconditional mean for "no class" or null
 * labels), whose ideal denoiser is exact: D(x; sigma) = (s^2 x + sigma^2 mu)/(s^2 + sigma^2).
 */
record GaussianData(double[] classMeans, double unconditionalMean, double s) implements Denoiser {
    static GaussianData unconditional(double mu, double s) {
        return new GaussianData(new double[0], mu, s);
    }

    @Override
    public NDArray denoise(NDArray x, double[] sigma, int[] labels) {
        int rows = sigma.length;
        float[] scale = new float[rows];
        float[] shift = new float[rows];
        for (int r = 0; r < rows; r++) {
            double mu = labels == null || labels[r] >= classMeans.length ? unconditionalMean : classMeans[labels[r]];
            double v = sigma[r] * sigma[r];
            scale[r] = (float) (s * s / (s * s + v));
            shift[r] = (float) (v * mu / (s * s + v));
        }
        NDManager m = x.getManager();
        return x.mul(m.create(scale, new Shape(rows, 1, 1, 1))).add(m.create(shift, new Shape(rows, 1, 1, 1)));
    }
}
