package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sampling statistics against closed forms. With n = 200,000 draws a probability's standard
 * error is at most 0.5/sqrt(n) = 0.0011; tolerances are 5 standard errors.
 */
class NoiseDistributionTest {
    private static final int N = 200_000;
    private static final double TOL = 5 * 0.5 / Math.sqrt(N);

    private static double fractionAbove(NoiseDistribution d, double level, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int above = 0;
        for (int i = 0; i < N; i++) {
            double s = d.sample(rng);
            assertTrue(s > 0 && Double.isFinite(s), "sigma " + s);
            if (s > level) {
                above++;
            }
        }
        return above / (double) N;
    }

    private static double normalTail(double z) {
        return 0.5 * org.hipparchus.special.Erf.erfc(z / Math.sqrt(2));
    }

    /** ln sigma ~ N(-1.2, 1.2^2): P(sigma > 1) = P(Z > 1) = 0.1587 (the recipe's 0.16). */
    @Test
    void edmLogNormal() {
        NoiseDistribution d = new Preconditioning.Edm().defaultNoise();
        assertEquals(0.15865525393145707, fractionAbove(d, 1, 1), TOL);
        assertEquals(normalTail(2), fractionAbove(d, Math.exp(1.2), 2), TOL);
        // Mean and standard deviation of ln sigma.
        SplittableRandom rng = new SplittableRandom(3);
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < N; i++) {
            double l = Math.log(d.sample(rng));
            sum += l;
            sumSq += l * l;
        }
        double mean = sum / N;
        assertEquals(-1.2, mean, 5 * 1.2 / Math.sqrt(N));
        assertEquals(1.2, Math.sqrt(sumSq / N - mean * mean), 0.01);
    }

    /**
     * t = (2/pi) atan(sigma) uniform between t(logSNR 13) and t(logSNR -9), sigma = exp(-logSNR/2):
     * P(sigma > 1) = (t_max - 1/2) / (t_max - t_min) = 0.4969 (the recipe's 0.50).
     */
    @Test
    void vPredictionLogSnrUniform() {
        NoiseDistribution d = new Preconditioning.VPrediction().defaultNoise();
        double tMin = 2 / Math.PI * Math.atan(Math.exp(-6.5));
        double tMax = 2 / Math.PI * Math.atan(Math.exp(4.5));
        assertEquals((tMax - 0.5) / (tMax - tMin), fractionAbove(d, 1, 4), TOL);
        assertEquals(0.4969, (tMax - 0.5) / (tMax - tMin), 1e-4);
        // P(sigma > 10) = (t_max - t(10)) / (t_max - t_min).
        double t10 = 2 / Math.PI * Math.atan(10);
        assertEquals((tMax - t10) / (tMax - tMin), fractionAbove(d, 10, 5), TOL);
        // Support: 0.0015 .. 90.
        SplittableRandom rng = new SplittableRandom(6);
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (int i = 0; i < N; i++) {
            double s = d.sample(rng);
            lo = Math.min(lo, s);
            hi = Math.max(hi, s);
        }
        assertTrue(lo >= Math.exp(-6.5) * (1 - 1e-9) && lo < 0.01, "min " + lo);
        assertTrue(hi <= Math.exp(4.5) * (1 + 1e-9) && hi > 50, "max " + hi);
    }

    /** sigma(t) > 1 iff t > t* = (-bm + sqrt(bm^2 + 2 bd ln 2)) / bd; t ~ U(1e-5, 1). */
    @Test
    void vpUniformTime() {
        double tStar = (-0.1 + Math.sqrt(0.01 + 2 * 19.9 * Math.log(2))) / 19.9;
        assertEquals((1 - tStar) / (1 - 1e-5), fractionAbove(new Preconditioning.Vp().defaultNoise(), 1, 7), TOL);
    }

    /** ln sigma ~ U(ln 0.02, ln 100): P(sigma > 1) = ln 100 / ln 5000 = 0.5407. */
    @Test
    void veLogUniform() {
        NoiseDistribution d = new Preconditioning.Ve().defaultNoise();
        assertEquals(Math.log(100) / Math.log(5000), fractionAbove(d, 1, 8), TOL);
        assertEquals(Math.log(10) / Math.log(5000), fractionAbove(d, 10, 9), TOL);
    }

    /** P(sigma > 1) = (1 - p) 0.1587 + p * 1 with the high component log-uniform on [1, 80]. */
    @Test
    void highNoiseMixture() {
        NoiseDistribution d = NoiseDistribution.Mixture.highNoiseBiased(
                new NoiseDistribution.LogNormal(-1.2, 1.2), 0.3, 1, 80);
        assertEquals(0.7 * normalTail(1) + 0.3, fractionAbove(d, 1, 10), TOL);
        // P(sigma > 10) = 0.7 P(Z > (ln 10 + 1.2)/1.2) + 0.3 ln 8 / ln 80.
        assertEquals(0.7 * normalTail((Math.log(10) + 1.2) / 1.2) + 0.3 * Math.log(8) / Math.log(80),
                fractionAbove(d, 10, 11), TOL);
    }

    @Test
    void rejectsBadParameters() {
        assertEquals("log-normal needs a finite P_mean and a finite P_std > 0, got -1.2, 0.0",
                assertThrows(IllegalArgumentException.class, () -> new NoiseDistribution.LogNormal(-1.2, 0))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NoiseDistribution.LogSnrUniform(-9, 13));
        assertThrows(IllegalArgumentException.class, () -> new NoiseDistribution.LogUniform(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new NoiseDistribution.VpTime(19.9, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new NoiseDistribution.Mixture(
                new NoiseDistribution.LogUniform(1, 2), new NoiseDistribution.LogUniform(1, 2), 1.5));
    }
}
