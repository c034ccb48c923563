package io.dpdm.eval;

/**
 * The Frechet (2-Wasserstein) distance between two Gaussians N(m1, S1) and N(m2, S2):
 *
 * <pre>  d^2 = ||m1 - m2||^2 + tr S1 + tr S2 - 2 tr sqrt( sqrt(S1) S2 sqrt(S1) )</pre>
 *
 * (Dowson and Landau 1982; the formula behind FID, Heusel et al. 2017). Like FID, the value
 * returned is d^2 itself, not its square root.
 *
 * <p>Computed exactly in float64 (see {@link TraceSqrt} for the cross term: a pivoted Cholesky
 * factor S1 = R R' and the eigenvalues of the symmetric R' S2 R, which equal those of
 * sqrt(S1) S2 sqrt(S1)). Unlike the scipy sqrtm of S1 S2 used by pytorch-fid, this never leaves
 * the real symmetric case and needs no complex arithmetic or "imaginary component" check.
 *
 * <p>The result is clamped at 0: for identical statistics it is 0 only up to rounding and may
 * otherwise come out as -1e-13. Eigenvalues that are 0 in exact arithmetic but come out as tiny
 * negatives are clamped to 0 too, as documented in {@link TraceSqrt}.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** The squared Frechet distance between Gaussians fitted to two n x d feature sets. */
    public static double between(double[][] features1, double[][] features2) {
        return between(GaussianStats.of(features1), GaussianStats.of(features2));
    }

    /** The squared Frechet distance between Gaussians fitted to two n x d feature sets. */
    public static double between(float[][] features1, float[][] features2) {
        return between(GaussianStats.of(features1), GaussianStats.of(features2));
    }

    /** The squared Frechet distance between two Gaussians given by their statistics. */
    public static double between(GaussianStats a, GaussianStats b) {
        int d = a.dim();
        if (b.dim() != d) {
            throw new IllegalArgumentException(
                    "feature dimensions differ: " + d + " vs " + b.dim() + " (same feature extractor?)");
        }
        double meanTerm = 0;
        double traces = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            meanTerm += diff * diff;
            traces += a.cov()[i][i] + b.cov()[i][i];
        }
        return Math.max(0, meanTerm + traces - 2 * TraceSqrt.of(a.cov(), b.cov()));
    }

}
