package io.dpdm.warmstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.privacy.Phase;
import io.dpdm.privacy.PrvAccountant;
import io.dpdm.privacy.RdpAccountant;
import java.util.List;
import java.util.stream.IntStream;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * The warm start's release composed with DP-SGD, against accounting done independently here:
 * RDP curves summed by hand from the integer-order binomial formula, and, for full batches, the
 * exact Gaussian-mechanism curve that PRV must reproduce.
 */
class WarmStartCompositionTest {
    private static final double DELTA = 1e-5;
    private static final Phase RELEASE = new CentralImages(0.1, 5, 5, 2, true).phase(1, 28, 28);

    /**
     * RDP of one Poisson-subsampled Gaussian step at integer order a (Mironov, Talwar and Zhang
     * 2019, eq. for integer alpha): log sum_k C(a, k) (1-q)^(a-k) q^k exp((k^2 - k) / (2 sigma^2)) / (a - 1).
     */
    private static double rdpByHand(double q, double sigma, int a) {
        double[] terms = new double[a + 1];
        double logBinomial = 0;
        for (int k = 0; k <= a; k++) {
            if (k > 0) {
                logBinomial += Math.log(a - k + 1) - Math.log(k);
            }
            terms[k] = logBinomial + (a - k) * Math.log1p(-q) + k * Math.log(q) + (k * (double) k - k) / (2 * sigma * sigma);
        }
        double max = java.util.Arrays.stream(terms).max().orElseThrow();
        double sum = java.util.Arrays.stream(terms).map(t -> Math.exp(t - max)).sum();
        return (max + Math.log(sum)) / (a - 1);
    }

    @Test
    void rdpEpsilonIsThatOfTheSummedCurves() {
        Phase dpSgd = new Phase(256.0 / 60000, 1.1, 300, "dp-sgd");
        int[] orders = IntStream.rangeClosed(2, 64).toArray();
        double best = Double.POSITIVE_INFINITY;
        for (int a : orders) {
            double curve = RELEASE.steps() * rdpByHand(RELEASE.q(), RELEASE.sigma(), a)
                    + dpSgd.steps() * rdpByHand(dpSgd.q(), dpSgd.sigma(), a);
            // Balle et al. 2020's conversion, as Opacus uses
            best = Math.min(best, curve + Math.log((a - 1.0) / a) - (Math.log(DELTA) + Math.log(a)) / (a - 1));
        }
        RdpAccountant rdp = new RdpAccountant(IntStream.of(orders).asDoubleStream().toArray());
        double composed = rdp.epsilon(List.of(RELEASE, dpSgd), DELTA).epsilon();
        assertEquals(best, composed, 1e-9 * best);
        assertTrue(composed > rdp.epsilon(List.of(dpSgd), DELTA).epsilon(), "the release must cost something");
    }

    /**
     * With full batches both phases are Gaussian mechanisms, so together they are mu-GDP with
     * mu^2 = rounds / sigma_1^2 + steps / sigma_2^2 (Dong, Roth and Su 2022), whose exact
     * epsilon solves Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2) = delta.
     */
    @Test
    void prvComposesTheTwoMechanismsExactly() {
        Phase release = new Phase(1, RELEASE.sigma(), RELEASE.steps(), RELEASE.label());
        Phase dpSgd = new Phase(1, 20, 1000, "dp-sgd");
        double mu = Math.sqrt(release.steps() / Math.pow(release.sigma(), 2) + dpSgd.steps() / Math.pow(dpSgd.sigma(), 2));
        double exact = gaussianEpsilon(mu, DELTA);
        PrvAccountant.Bounds b = new PrvAccountant().bounds(List.of(release, dpSgd), DELTA);
        assertTrue(b.lower() <= exact && exact <= b.upper(), b + " vs exact " + exact);
        assertEquals(exact, b.estimate(), PrvAccountant.DEFAULT_EPS_ERROR);
    }

    private static double gaussianEpsilon(double mu, double delta) {
        NormalDistribution phi = new NormalDistribution();
        double lo = 0;
        double hi = 100;
        for (int i = 0; i < 200; i++) { // delta(eps) falls with eps: bisect
            double eps = (lo + hi) / 2;
            double d = phi.cumulativeProbability(-eps / mu + mu / 2) - Math.exp(eps) * phi.cumulativeProbability(-eps / mu - mu / 2);
            if (d > delta) {
                lo = eps;
            } else {
                hi = eps;
            }
        }
        return (lo + hi) / 2;
    }
}
