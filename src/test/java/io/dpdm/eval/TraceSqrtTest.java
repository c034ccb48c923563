package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.junit.jupiter.api.Test;

/** The linear-algebra pieces of the Frechet distance against Hipparchus as an independent reference. */
class TraceSqrtTest {

    private static double[][] randomSymmetric(Random rnd, int n) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = a[j][i] = rnd.nextGaussian();
            }
        }
        return a;
    }

    /** B B' for a random n x rank B: positive semi-definite of the given rank. */
    private static double[][] randomPsd(Random rnd, int n, int rank) {
        double[][] b = new double[n][rank];
        for (double[] row : b) {
            for (int j = 0; j < rank; j++) {
                row[j] = rnd.nextGaussian();
            }
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < rank; k++) {
                    a[i][j] += b[i][k] * b[j][k];
                }
            }
        }
        return a;
    }

    private static double[] hipparchusEigenvalues(double[][] a) {
        double[] ev = new EigenDecompositionSymmetric(new Array2DRowRealMatrix(a)).getEigenvalues();
        Arrays.sort(ev);
        return ev;
    }

    @Test
    void eigenvaluesMatchHipparchusIncludingLargeSizes() {
        Random rnd = new Random(4);
        for (int n : new int[] {1, 2, 3, 10, 250}) {
            double[][] a = randomSymmetric(rnd, n);
            assertArrayEquals(hipparchusEigenvalues(a), TraceSqrt.eigenvalues(a), 1e-10 * n, "n = " + n);
        }
        // Repeated eigenvalues and an already tridiagonal / diagonal matrix.
        double[][] diag = {{2, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, -1, 0}, {0, 0, 0, 2}};
        assertArrayEquals(new double[] {-1, 2, 2, 2}, TraceSqrt.eigenvalues(diag), 1e-14);
    }

    @Test
    void pivotedCholeskyReproducesPermutedMatrixAndFindsRank() {
        Random rnd = new Random(8);
        for (int rank : new int[] {30, 7}) {
            double[][] s = randomPsd(rnd, 30, rank);
            int[] perm = new int[30];
            double[][] l = TraceSqrt.pivotedCholesky(s, perm);
            assertEquals(rank, l[0].length);
            for (int i = 0; i < 30; i++) {
                for (int j = 0; j < 30; j++) {
                    double v = 0;
                    for (int k = 0; k < rank; k++) {
                        v += l[i][k] * l[j][k];
                    }
                    assertEquals(s[perm[i]][perm[j]], v, 1e-9);
                }
            }
        }
    }

    @Test
    void traceSqrtMatchesEigendecompositionRoute() {
        // Textbook route with Hipparchus: sqrt(S1) = V L^1/2 V', then eigenvalues of sqrt(S1) S2 sqrt(S1).
        Random rnd = new Random(12);
        for (int rank : new int[] {40, 9}) {
            double[][] s1 = randomPsd(rnd, 40, rank);
            double[][] s2 = randomPsd(rnd, 40, 40);
            var e = new EigenDecompositionSymmetric(new Array2DRowRealMatrix(s1));
            double[] sqrtL = Arrays.stream(e.getEigenvalues()).map(x -> Math.sqrt(Math.max(0, x))).toArray();
            var root = e.getV().multiply(new org.hipparchus.linear.DiagonalMatrix(sqrtL)).multiply(e.getVT());
            double[][] m = root.multiply(new Array2DRowRealMatrix(s2)).multiply(root).getData();
            for (int i = 0; i < 40; i++) {
                for (int j = 0; j < i; j++) {
                    m[i][j] = m[j][i] = 0.5 * (m[i][j] + m[j][i]);
                }
            }
            double expected = Arrays.stream(hipparchusEigenvalues(m)).map(x -> Math.sqrt(Math.max(0, x))).sum();
            assertEquals(expected, TraceSqrt.of(s1, s2), 1e-7 * expected, "rank " + rank);
        }
    }
}
