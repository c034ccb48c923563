package io.dpdm.eval;

import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.hipparchus.linear.RealMatrix;

/**
 * The Frechet (2-Wasserstein) distance between two Gaussians N(m1, S1) and N(m2, S2):
 *
 * <pre>  d^2 = ||m1 - m2||^2 + tr S1 + tr S2 - 2 tr sqrt( sqrt(S1) S2 sqrt(S1) )</pre>
 *
 * (Dowson and Landau 1982; the formula behind FID, Heusel et al. 2017). Like FID, the value
 * returned is d^2 itself, not its square root.
 *
 * <p>Computed exactly, with symmetric eigendecompositions only: with S1 = V L V' we have
 * sqrt(S1) S2 sqrt(S1) = V (L^1/2 (V' S2 V) L^1/2) V', so the trace of its square root is the
 * sum of the square roots of the eigenvalues of the symmetric matrix M = L^1/2 (V' S2 V) L^1/2.
 * Unlike the scipy sqrtm of S1 S2 used by pytorch-fid, this never leaves the real symmetric
 * case, needs no complex arithmetic and no "imaginary component" check.
 *
 * <p>Eigenvalues of S1 and of M are mathematically >= 0 (both are positive semi-definite), but
 * rounding makes the ones that are really zero come out as tiny negatives, e.g. whenever there
 * are fewer samples than features and the covariance is singular. Taking their square roots
 * would give NaN; they are clamped to 0, which changes the result by at most the square root of
 * the rounding error. For the same reason the final value is clamped at 0 (for identical
 * statistics it is 0 up to rounding and may otherwise come out as -1e-13).
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
        return Math.max(0, meanTerm + traces - 2 * traceSqrtProduct(a.cov(), b.cov()));
    }

    /** tr sqrt( sqrt(S1) S2 sqrt(S1) ) for symmetric positive semi-definite S1, S2. */
    static double traceSqrtProduct(double[][] s1, double[][] s2) {
        int d = s1.length;
        EigenDecompositionSymmetric e1 = new EigenDecompositionSymmetric(new Array2DRowRealMatrix(s1, false));
        RealMatrix v = e1.getV();
        double[] root = e1.getEigenvalues();
        for (int i = 0; i < d; i++) {
            root[i] = Math.sqrt(Math.max(0, root[i]));
        }
        double[][] b = v.transposeMultiply(new Array2DRowRealMatrix(s2, false)).multiply(v).getData();
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                // Average the two halves: V'S2V is symmetric only up to rounding.
                double value = root[i] * root[j] * 0.5 * (b[i][j] + b[j][i]);
                m[i][j] = value;
                m[j][i] = value;
            }
        }
        double trace = 0;
        for (double lambda : new EigenDecompositionSymmetric(new Array2DRowRealMatrix(m, false)).getEigenvalues()) {
            trace += Math.sqrt(Math.max(0, lambda));
        }
        return trace;
    }
}
