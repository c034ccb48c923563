package io.dpdm.privacy;

/**
 * An (epsilon, delta) guarantee and how it was obtained.
 *
 * @param epsilon the epsilon bound (the value that is safe to promise)
 * @param delta the delta it holds at
 * @param accountant "rdp" or "prv": the accountant that produced epsilon (after any fallback)
 * @param optimalOrder the Renyi order that attained the minimum for RDP, NaN for PRV
 * @param note why the result deviates from the plain computation (PRV grew its domain or fell
 *     back to RDP), or empty
 */
public record PrivacyResult(double epsilon, double delta, String accountant, double optimalOrder, String note) {
    public PrivacyResult {
        if (Double.isNaN(epsilon) || epsilon < 0) {
            throw new IllegalArgumentException("epsilon=" + epsilon + " must be >= 0");
        }
        if (accountant == null || accountant.isBlank()) {
            throw new IllegalArgumentException("accountant name is required");
        }
        note = note == null ? "" : note;
    }

    /** The same result with a note appended (used when an accountant falls back on another). */
    PrivacyResult withNote(String extra) {
        return new PrivacyResult(epsilon, delta, accountant, optimalOrder, note.isEmpty() ? extra : note + "; " + extra);
    }
}
