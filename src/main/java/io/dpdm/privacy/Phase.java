package io.dpdm.privacy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code steps} consecutive DP-SGD steps, each Poisson-sampling examples with probability
 * {@code q} and adding Gaussian noise of standard deviation {@code sigma} times the clipping norm.
 *
 * @param q sampling probability, in (0, 1]
 * @param sigma noise multiplier, &gt; 0 and finite
 * @param steps number of steps, &ge; 1
 */
public record Phase(double q, double sigma, long steps) {
    public Phase {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("sample rate q=" + q + " must be in (0, 1]");
        }
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noise multiplier sigma=" + sigma + " must be > 0 and finite");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps=" + steps + " must be >= 1");
        }
    }

    /** Same mechanism (q, sigma), so that steps can be merged into one phase. */
    boolean sameMechanism(double otherQ, double otherSigma) {
        return q == otherQ && sigma == otherSigma;
    }

    /**
     * One phase per distinct (q, sigma), steps summed, in order of first appearance. Composition
     * is commutative, so accountants work on this shorter list (PRV pays one FFT per entry).
     */
    static List<Phase> byMechanism(List<Phase> phases) {
        Map<List<Double>, Long> steps = new LinkedHashMap<>();
        for (Phase p : phases) {
            steps.merge(List.of(p.q(), p.sigma()), p.steps(), Math::addExact);
        }
        List<Phase> merged = new ArrayList<>(steps.size());
        steps.forEach((mechanism, n) -> merged.add(new Phase(mechanism.get(0), mechanism.get(1), n)));
        return merged;
    }
}
