package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SubsampledGaussianPrvTest {
    /** The rule integrates polynomials up to degree 2n - 1 exactly: int_0^1 x^k dx = 1/(k+1). */
    @Test
    void gaussLegendreIsExactForPolynomials() {
        double[][] rule = SubsampledGaussianPrv.gaussLegendre(20);
        for (int k = 0; k < 40; k++) {
            double sum = 0;
            for (int i = 0; i < 20; i++) {
                sum += rule[1][i] * Math.pow(rule[0][i], k);
            }
            assertEquals(1.0 / (k + 1), sum, 1e-14, "x^" + k);
        }
    }

    /** For q = 1 the loss is N(1/(2s^2), 1/s^2): its CDF and (untruncated) mean are closed forms. */
    @Test
    void gaussianCaseMatchesTheNormalDistribution() {
        double s = 1.3;
        SubsampledGaussianPrv prv = new SubsampledGaussianPrv(1, s);
        double mean = 1 / (2 * s * s);
        double sd = 1 / s;
        for (double t : new double[] {-2, 0, 0.3, 1, 4}) {
            double normalCdf = 0.5 * LogErfc.erfc(-(t - mean) / (sd * Math.sqrt(2)));
            assertEquals(normalCdf, prv.cdf(t), 1e-15);
            assertEquals(1 - normalCdf, prv.survival(t), 1e-15);
        }
        assertEquals(mean, prv.truncatedMean(-40, 40), 1e-13);
    }

    /** The mean of the loss is KL(P||Q) >= 0 and the CDF and survival functions add up to one. */
    @Test
    void subsampledLossIsConsistent() {
        SubsampledGaussianPrv prv = new SubsampledGaussianPrv(0.01, 0.9);
        for (double t = -0.005; t < 10; t += 0.37) {
            assertEquals(1, prv.cdf(t) + prv.survival(t), 1e-15);
        }
        double m = prv.truncatedMean(-20, 20);
        // KL of the mixture against N(0, s^2) lies below that of the full Gaussian shift, q^2-scaled bound
        assertTrue(m > 0 && m < 0.01 * 0.01 * Math.expm1(1 / (0.9 * 0.9)), "mean " + m);
    }
}
