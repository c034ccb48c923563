package io.dpdm.privacy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code steps} consecutive rounds of the Poisson-subsampled Gaussian mechanism: each round
 * samples every record with probability {@code q} and adds Gaussian noise of standard deviation
 * {@code sigma} times the sensitivity (the clipping norm, for DP-SGD) to a sum of per-record
 * contributions. The accountants need only (q, sigma, steps); {@code label} says what was
 * released (DP-SGD steps, or a statistic released to warm-start a model).
 *
 * @param q sampling probability, in (0, 1]
 * @param sigma noise multiplier (noise std / sensitivity), &gt; 0 and finite
 * @param steps number of rounds, &ge; 1
 * @param label what the rounds released; {@link #DP_SGD} when absent
 */
public record Phase(double q, double sigma, long steps, String label) {
    /** The label of DP-SGD training steps. */
    public static final String DP_SGD = "dp-sgd";

    /** DP-SGD steps. */
    public Phase(double q, double sigma, long steps) {
        this(q, sigma, steps, DP_SGD);
    }

    public Phase {
        label = label == null || label.isBlank() ? DP_SGD : label;
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

    /** Same mechanism (q, sigma) and label, so that steps can be merged into one phase. */
    boolean mergesWith(Phase other) {
        return q == other.q && sigma == other.sigma && label.equals(other.label);
    }

    /** The same rounds under another label. */
    public Phase relabelled(String newLabel) {
        return new Phase(q, sigma, steps, newLabel);
    }

    /**
     * One phase per distinct (q, sigma) whatever the labels, steps summed, in order of first
     * appearance. Composition is commutative, so accountants work on this shorter list (PRV pays
     * one FFT per entry).
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
