package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.DpdmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrechetDistanceTest {

    private static GaussianStats stats(double[] mean, double[][] cov) {
        return new GaussianStats(mean, cov, 1000);
    }

    private static double[][] diag(double... values) {
        double[][] m = new double[values.length][values.length];
        for (int i = 0; i < values.length; i++) {
            m[i][i] = values[i];
        }
        return m;
    }

    /** Q diag(l) Q' with Q the rotation by angle t in the (0, 1) plane and a reflection of axis 2. */
    private static double[][] rotated(double t, double... l) {
        double c = Math.cos(t);
        double s = Math.sin(t);
        double[][] q = {{c, -s, 0}, {s, c, 0}, {0, 0, -1}};
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    m[i][j] += q[i][k] * l[k] * q[j][k];
                }
            }
        }
        return m;
    }

    @Test
    void oneDimensionIsSquaredMeanPlusSquaredStdDifference() {
        double d = FrechetDistance.between(stats(new double[] {1.5}, new double[][] {{4}}),
                stats(new double[] {-0.5}, new double[][] {{9}}));
        assertEquals(2.0 * 2.0 + (2.0 - 3.0) * (2.0 - 3.0), d, 1e-12);
    }

    @Test
    void diagonalCovariances() {
        double d = FrechetDistance.between(stats(new double[] {0, 1, 2}, diag(1, 4, 0.25)),
                stats(new double[] {1, 1, 0}, diag(9, 1, 0.01)));
        double expected = 1 + 0 + 4 + Math.pow(1 - 3, 2) + Math.pow(2 - 1, 2) + Math.pow(0.5 - 0.1, 2);
        assertEquals(expected, d, 1e-12);
    }

    @Test
    void commutingNonDiagonalCovariancesGiveSumOfSqrtEigenvalueProducts() {
        double[] l1 = {2, 0.5, 3};
        double[] l2 = {8, 4.5, 0.75};
        double d = FrechetDistance.between(stats(new double[] {0, 0, 0}, rotated(0.7, l1)),
                stats(new double[] {0.5, -1, 0}, rotated(0.7, l2)));
        double trSqrt = 0;
        for (int i = 0; i < 3; i++) {
            trSqrt += Math.sqrt(l1[i] * l2[i]);
        }
        double expected = 0.25 + 1 + (2 + 0.5 + 3) + (8 + 4.5 + 0.75) - 2 * trSqrt;
        assertEquals(expected, d, 1e-11);
    }

    @Test
    void nonCommutingTwoByTwoMatchesClosedForm() {
        // For 2x2 PSD products, tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)).
        double[][] s1 = {{2, 0.8}, {0.8, 1}};
        double[][] s2 = {{0.5, -0.3}, {-0.3, 3}};
        double trProduct = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det1 = 2 * 1 - 0.8 * 0.8;
        double det2 = 0.5 * 3 - 0.3 * 0.3;
        double trSqrt = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
        double d = FrechetDistance.between(stats(new double[] {1, 2}, s1), stats(new double[] {0, 0}, s2));
        assertEquals(5 + 3 + 3.5 - 2 * trSqrt, d, 1e-12);
    }

    @Test
    void singularCovarianceIsHandled() {
        double d = FrechetDistance.between(stats(new double[] {0, 0}, diag(1, 0)),
                stats(new double[] {0, 0}, diag(4, 9)));
        assertEquals(1 + 9, d, 1e-12);
    }

    /**
     * d = 8, reference values computed with mpmath at 50 digits (eigsy-based square roots).
     * S1 = A A' (+ ridge I), A_ij = sin(1 + 7i + 3j) (rank 2, so S1 is singular);
     * S2 = B B' + 0.1 I, B_ij = cos(2 + 5i - 2j^2); m1_i = 0.1 i, m2_i = sin i.
     * In the singular case any float64 method is off by about sqrt(machine epsilon) x scale,
     * because six eigenvalues of S1 that are exactly 0 come out as +-1e-15 (numpy eigh is 2.7e-7
     * off, scipy sqrtm of S1 S2 as in pytorch-fid 2.3e-7); hence the wider tolerance there.
     */
    @Test
    void agreesWithHighPrecisionReferenceIncludingRankDeficientCase() {
        int d = 8;
        double[][] a = new double[d][d];
        double[][] b = new double[d][d];
        double[] m1 = new double[d];
        double[] m2 = new double[d];
        for (int i = 0; i < d; i++) {
            m1[i] = 0.1 * i;
            m2[i] = Math.sin(i);
            for (int j = 0; j < d; j++) {
                a[i][j] = Math.sin(1.0 + 7 * i + 3 * j);
                b[i][j] = Math.cos(2.0 + 5 * i - 2 * j * j);
            }
        }
        double[][] s2 = gram(b, 0.1);
        assertEquals(55.339322963093066,
                FrechetDistance.between(stats(m1, gram(a, 0.05)), stats(m2, s2)), 1e-10);
        assertEquals(56.848570218348424,
                FrechetDistance.between(stats(m1, gram(a, 0)), stats(m2, s2)), 5e-7);
    }

    private static double[][] gram(double[][] a, double ridge) {
        int d = a.length;
        double[][] g = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < d; k++) {
                    g[i][j] += a[i][k] * a[j][k];
                }
            }
            g[i][i] += ridge;
        }
        return g;
    }

    @Test
    void symmetricAndZeroForIdenticalStatistics() {
        Random rnd = new Random(3);
        double[][] x = gaussianSamples(rnd, 500, 16, 1.0);
        double[][] y = gaussianSamples(rnd, 300, 16, 2.0);
        GaussianStats sx = GaussianStats.of(x);
        GaussianStats sy = GaussianStats.of(y);
        double xy = FrechetDistance.between(sx, sy);
        assertTrue(xy > 1, "distinct distributions: " + xy);
        assertEquals(xy, FrechetDistance.between(sy, sx), 1e-9 * xy);
        assertEquals(0, FrechetDistance.between(sx, sx), 1e-9);
        // Fewer samples than features: singular covariances, still finite and zero for itself.
        GaussianStats few = GaussianStats.of(gaussianSamples(rnd, 5, 16, 1.0));
        assertEquals(0, FrechetDistance.between(few, few), 1e-9);
        assertTrue(Double.isFinite(FrechetDistance.between(few, sx)));
    }

    /** Rows of x (mixed through a fixed lower-triangular map) with n(0, 1) noise scaled by s. */
    private static double[][] gaussianSamples(Random rnd, int n, int d, double s) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            double carry = 0;
            for (int j = 0; j < d; j++) {
                carry = 0.5 * carry + s * rnd.nextGaussian();
                row[j] = carry + 0.1 * j;
            }
        }
        return x;
    }

    @Test
    void samplesFromKnownGaussiansApproachTheClosedForm() {
        // X = m + L z with L lower-triangular, so cov = L L'. 200,000 draws per side.
        double[][] l1 = {{1, 0, 0}, {0.5, 1.2, 0}, {-0.3, 0.4, 0.7}};
        double[][] l2 = {{1.5, 0, 0}, {0, 0.8, 0}, {0.6, -0.2, 1.1}};
        double[] m1 = {0, 1, -1};
        double[] m2 = {0.5, 1, 0};
        Random rnd = new Random(11);
        int n = 200_000;
        float[][] x = draw(rnd, n, m1, l1);
        float[][] y = draw(rnd, n, m2, l2);
        GaussianStats sx = GaussianStats.of(x);
        double[][] cov1 = gram(l1, 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(m1[i], sx.mean()[i], 0.02);
            for (int j = 0; j < 3; j++) {
                assertEquals(cov1[i][j], sx.cov()[i][j], 0.03);
            }
        }
        double exact = FrechetDistance.between(stats(m1, cov1), stats(m2, gram(l2, 0)));
        assertEquals(exact, FrechetDistance.between(x, y), 0.02);
    }

    private static float[][] draw(Random rnd, int n, double[] m, double[][] l) {
        float[][] x = new float[n][3];
        for (float[] row : x) {
            double[] z = {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
            for (int i = 0; i < 3; i++) {
                double v = m[i];
                for (int k = 0; k <= i; k++) {
                    v += l[i][k] * z[k];
                }
                row[i] = (float) v;
            }
        }
        return x;
    }

    @Test
    void streamingCovarianceMatchesTwoPassTextbookFormula() {
        Random rnd = new Random(5);
        int n = 203;
        int d = 7;
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = 1000 + rnd.nextGaussian() * (j + 1);
            }
        }
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        GaussianStats s = GaussianStats.of(x);
        assertArrayEquals(mean, s.mean(), 1e-9);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double c = 0;
                for (double[] row : x) {
                    c += (row[i] - mean[i]) * (row[j] - mean[j]);
                }
                assertEquals(c / (n - 1), s.cov()[i][j], 1e-9);
            }
        }
        assertEquals(n, s.n());
    }

    @Test
    void jsonRoundTripIsExactAndBadFilesAreNamed(@TempDir Path dir) throws Exception {
        GaussianStats s = GaussianStats.of(gaussianSamples(new Random(1), 50, 4, 0.3));
        Path file = dir.resolve("stats/train.json");
        s.write(file);
        GaussianStats back = GaussianStats.read(file);
        assertArrayEquals(s.mean(), back.mean(), 0);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(s.cov()[i], back.cov()[i], 0);
        }
        assertEquals(s.n(), back.n());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"mean\":[0,1],\"cov\":[[1,0]],\"n\":5}");
        DpdmException e = assertThrows(DpdmException.class, () -> GaussianStats.read(bad));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("cov"), e.getMessage());
        assertTrue(assertThrows(DpdmException.class, () -> GaussianStats.read(dir.resolve("none.json")))
                .getMessage().contains("none.json"));
    }

    @Test
    void mismatchedDimensionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(stats(new double[] {0}, diag(1)), stats(new double[] {0, 0}, diag(1, 1))));
        assertTrue(e.getMessage().contains("1 vs 2"), e.getMessage());
    }
}
