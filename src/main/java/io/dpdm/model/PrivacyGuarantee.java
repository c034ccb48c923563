package io.dpdm.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.dpdm.privacy.PrivacyLedger;

/**
 * The (epsilon, delta) guarantee a trained model carries, with the ledger it was computed from.
 * Everything derived from the model (samples, synthetic data sets) inherits it by
 * post-processing. A non-private model has epsilon = +infinity and an empty ledger.
 *
 * @param epsilon spent epsilon at {@code delta} (upper bound for PRV); +inf when non-private
 * @param delta the delta of the guarantee
 * @param accountant "prv" or "rdp"
 * @param ledger every (q, sigma, steps) phase of private training of these weights
 * @param note how the figure was obtained (e.g. an accountant's fallback), or empty
 */
public record PrivacyGuarantee(double epsilon, double delta, String accountant, PrivacyLedger ledger, String note) {
    public PrivacyGuarantee {
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException("epsilon must be >= 0 or infinite, got " + epsilon);
        }
        if (ledger == null || accountant == null) {
            throw new IllegalArgumentException("ledger and accountant must be given");
        }
        note = note == null ? "" : note;
    }

    public static PrivacyGuarantee nonPrivate(double delta) {
        return new PrivacyGuarantee(Double.POSITIVE_INFINITY, delta, "none", new PrivacyLedger(), "trained without DP");
    }

    @JsonIgnore
    public boolean isPrivate() {
        return Double.isFinite(epsilon);
    }
}
