package io.dpdm.privacy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Append-only record of the privacy budget spent: a list of {@link Phase}s (q, sigma, steps).
 * Training appends once per logical step with {@link #append(double, double)}, which is O(1): a
 * step with the same (q, sigma) as the last phase extends it. Checkpoints and synthetic data sets
 * carry the ledger as JSON ({@link #toJson()}, {@link #fromJson(String)}, or as a Jackson-mapped
 * field: {@code {"phases":[{"q":..,"sigma":..,"steps":..,"label":..}]}}), so a resumed run continues from the
 * budget already spent. {@link #epsilon(double, Accountant)} answers eps(delta) with any accountant.
 *
 * <p>Thread-safe; phases can only be added, never removed or changed.
 */
public final class PrivacyLedger {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Phase> phases = new ArrayList<>();

    public PrivacyLedger() {}

    /** A ledger holding the given phases (consecutive phases of the same mechanism merge). */
    @JsonCreator
    public PrivacyLedger(@JsonProperty("phases") List<Phase> phases) {
        if (phases != null) {
            phases.forEach(this::append);
        }
    }

    /** Records one DP-SGD step at sampling rate q and noise multiplier sigma. */
    public void append(double q, double sigma) {
        append(new Phase(q, sigma, 1));
    }

    /** Records a phase; it merges into the last one when (q, sigma) and the label are identical. */
    public synchronized void append(Phase phase) {
        if (phase == null) {
            throw new IllegalArgumentException("phase must not be null");
        }
        int last = phases.size() - 1;
        if (last >= 0 && phases.get(last).mergesWith(phase)) {
            Phase merged = phases.get(last);
            phases.set(last, new Phase(merged.q(), merged.sigma(), Math.addExact(merged.steps(), phase.steps()),
                    merged.label()));
        } else {
            phases.add(phase);
        }
    }

    /** The phases in order (a copy). */
    @JsonProperty("phases")
    public synchronized List<Phase> phases() {
        return List.copyOf(phases);
    }

    /** Total number of steps recorded. */
    public synchronized long totalSteps() {
        return phases.stream().mapToLong(Phase::steps).sum();
    }

    /** Epsilon spent so far at delta; 0 when nothing has been spent. */
    public PrivacyResult epsilon(double delta, Accountant accountant) {
        List<Phase> snapshot = phases();
        if (snapshot.isEmpty()) {
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("delta=" + delta + " must be in (0, 1)");
            }
            return new PrivacyResult(0, delta, accountant.name(), Double.NaN, "no steps recorded");
        }
        return accountant.epsilon(snapshot, delta);
    }

    /** Epsilon with the default (PRV) accountant. */
    public PrivacyResult epsilon(double delta) {
        return epsilon(delta, Accountants.byName(Accountants.DEFAULT));
    }

    /** An independent copy. */
    public PrivacyLedger copy() {
        return new PrivacyLedger(phases());
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise privacy ledger", e);
        }
    }

    /** Parses {@link #toJson()} output; a malformed or invalid ledger is a {@link DpdmException}. */
    public static PrivacyLedger fromJson(String json) {
        try {
            return JSON.readValue(json, PrivacyLedger.class);
        } catch (JsonProcessingException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new DpdmException("invalid privacy ledger JSON: " + root.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivacyLedger other && phases().equals(other.phases()); // snapshots: no nested locks
    }

    @Override
    public int hashCode() {
        return phases().hashCode();
    }

    @Override
    public synchronized String toString() {
        return "PrivacyLedger" + phases;
    }
}
