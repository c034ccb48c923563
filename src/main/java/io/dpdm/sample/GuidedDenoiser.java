package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.dpdm.diffusion.Denoiser;

/**
 * Classifier-free guidance (Ho and Salimans 2022, as in DPDM): (1 + w) D(x; sigma, c) - w D(x; sigma,
 * none). Both evaluations run as one pass over twice the rows.
 *
 * @param base the class-conditional denoiser
 * @param weight w >= 0 (0 = plain conditional sampling)
 * @param noClass the label index meaning "no class" (= the number of classes)
 */
public record GuidedDenoiser(Denoiser base, double weight, int noClass) implements Denoiser {
    public GuidedDenoiser {
        if (base == null) {
            throw new IllegalArgumentException("guided denoiser needs a base denoiser");
        }
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("guidance weight must be a finite number >= 0, got " + weight);
        }
        if (noClass < 1) {
            throw new IllegalArgumentException("guidance needs a class-conditional model, got noClass " + noClass);
        }
    }

    @Override
    public NDArray denoise(NDArray x, double[] sigma, int[] labels) {
        if (labels == null) {
            throw new IllegalArgumentException("guidance needs class labels");
        }
        int rows = labels.length;
        double[] sigma2 = new double[2 * rows];
        int[] labels2 = new int[2 * rows];
        System.arraycopy(sigma, 0, sigma2, 0, rows);
        System.arraycopy(sigma, 0, sigma2, rows, rows);
        System.arraycopy(labels, 0, labels2, 0, rows);
        java.util.Arrays.fill(labels2, rows, 2 * rows, noClass);
        NDList halves = base.denoise(x.concat(x, 0), sigma2, labels2).split(2, 0);
        return halves.get(0).mul(1 + weight).sub(halves.get(1).mul(weight));
    }
}
