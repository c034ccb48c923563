package io.dpdm.privacy;

import java.util.List;

/**
 * Computes the epsilon spent by a sequence of DP-SGD phases at a given delta. Implementations are
 * immutable and thread-safe; {@link Accountants#byName(String)} returns the standard ones.
 */
public interface Accountant {
    /** Short name: "rdp" or "prv". */
    String name();

    /**
     * Epsilon of the composition of all phases (in order; order does not matter for the bound).
     *
     * @param phases at least one phase
     * @param delta target delta in (0, 1)
     */
    PrivacyResult epsilon(List<Phase> phases, double delta);

    /** Convenience for a single phase. */
    default PrivacyResult epsilon(double q, double sigma, long steps, double delta) {
        return epsilon(List.of(new Phase(q, sigma, steps)), delta);
    }

    /** Validates the arguments every accountant shares. */
    static void checkArguments(List<Phase> phases, double delta) {
        if (phases == null || phases.isEmpty()) {
            throw new IllegalArgumentException("at least one phase (q, sigma, steps) is required");
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta=" + delta + " must be in (0, 1)");
        }
    }
}
