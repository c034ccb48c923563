package io.dpdm.classify;

import io.dpdm.privacy.PrivacyLedger;
import java.util.Optional;

/**
 * What {@link ClassifierTrainer#train} did.
 *
 * @param epochs epochs run
 * @param selectedEpoch the epoch (1-based) whose weights the classifier now holds: the best on the
 *     validation split, or the last one when there was none
 * @param validationAccuracy validation accuracy after each epoch (empty without a validation split)
 * @param privacy the privacy spent, for private training
 */
public record TrainingResult(int epochs, int selectedEpoch, double[] validationAccuracy,
        Optional<PrivacySpent> privacy) {
    public TrainingResult {
        validationAccuracy = validationAccuracy.clone();
    }

    @Override
    public double[] validationAccuracy() {
        return validationAccuracy.clone();
    }

    /**
     * The DP-SGD mechanism that ran and what it cost.
     *
     * @param sampleRate q
     * @param noiseMultiplier sigma
     * @param steps logical steps run (= the ledger's total)
     * @param epsilon epsilon spent at {@code delta} under {@code accountant}
     * @param ledger the complete record (q, sigma, steps)
     */
    public record PrivacySpent(double sampleRate, double noiseMultiplier, long steps, double clipNorm,
            double epsilon, double delta, String accountant, PrivacyLedger ledger) {}
}
