package io.dpdm.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.hipparchus.distribution.discrete.BinomialDistribution;
import org.junit.jupiter.api.Test;

class PoissonSamplerTest {
    @Test
    void batchSizesFollowBinomialNq() {
        int n = 1000;
        double q = 0.05;
        int steps = 4000;
        PoissonSampler sampler = new PoissonSampler(n, q);
        DpRandom random = DpRandom.publicSeed(2024);
        int[] sizes = new int[steps];
        int[] inclusions = new int[n];
        for (int t = 0; t < steps; t++) {
            int[] batch = sampler.sample(random, t);
            sizes[t] = batch.length;
            for (int i = 0; i < batch.length; i++) {
                inclusions[batch[i]]++;
                assertTrue(i == 0 || batch[i] > batch[i - 1], "ascending, no duplicates");
            }
        }
        double mean = 0;
        for (int s : sizes) {
            mean += s;
        }
        mean /= steps;
        double var = 0;
        for (int s : sizes) {
            var += (s - mean) * (s - mean);
        }
        var /= steps - 1;
        double expectedVar = n * q * (1 - q);
        assertEquals(n * q, mean, 5 * Math.sqrt(expectedVar / steps), "mean batch size");
        // Var of the sample variance ~ 2 sigma^4 / (steps - 1) (normal approximation; Binomial(1000, 0.05)
        // has excess kurtosis ~0.02, negligible).
        assertEquals(expectedVar, var, 5 * expectedVar * Math.sqrt(2.0 / (steps - 1)), "variance of batch size");

        // Chi-square goodness of fit of the size histogram against Binomial(N, q), bins pooled
        // so that each expects at least 5.
        BinomialDistribution binomial = new BinomialDistribution(n, q);
        int[] counts = new int[n + 1];
        for (int s : sizes) {
            counts[s]++;
        }
        double chi2 = 0;
        int bins = 0;
        double expected = 0;
        int observed = 0;
        for (int k = 0; k <= n; k++) {
            expected += steps * binomial.probability(k);
            observed += counts[k];
            boolean restSmall = steps * (1 - binomial.cumulativeProbability(k)) < 5;
            if ((expected >= 5 && !restSmall) || k == n) {
                chi2 += (observed - expected) * (observed - expected) / expected;
                bins++;
                expected = 0;
                observed = 0;
            }
        }
        double critical = new ChiSquaredDistribution(bins - 1).inverseCumulativeProbability(0.999);
        assertTrue(chi2 < critical, "chi-square " + chi2 + " over " + bins + " bins, critical " + critical);

        // Every example is included with probability q: counts ~ Binomial(steps, q).
        double sd = Math.sqrt(steps * q * (1 - q));
        for (int i = 0; i < n; i++) {
            assertEquals(steps * q, inclusions[i], 5 * sd, "inclusions of example " + i);
        }
    }

    @Test
    void emptyBatchesOccurAndAreEmptyArrays() {
        PoissonSampler sampler = new PoissonSampler(10, 0.01);
        DpRandom random = DpRandom.publicSeed(3);
        int empty = 0;
        for (int t = 0; t < 500; t++) {
            empty += sampler.sample(random, t).length == 0 ? 1 : 0;
        }
        // P(empty) = 0.99^10 = 0.904; 500 draws, sd of the count 6.6.
        assertEquals(500 * Math.pow(0.99, 10), empty, 5 * Math.sqrt(500 * 0.904 * 0.096));
    }

    @Test
    void rejectsBadRates() {
        assertThrows(IllegalArgumentException.class, () -> new PoissonSampler(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new PoissonSampler(10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new PoissonSampler(0, 0.5));
    }
}
