package io.dpdm.train;

import io.dpdm.DpdmException;
import io.dpdm.privacy.Accountant;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.NoiseCalibration;
import io.dpdm.privacy.PrivacyResult;
import java.util.Locale;

/**
 * The privacy plan of a run, fixed before the first step: Poisson rate q = B / N, T logical
 * steps, the noise multiplier sigma (calibrated for the target with the chosen accountant, or
 * given) and the epsilon the whole run will have spent at delta. Saved with the run so a resume
 * continues with exactly the same mechanism.
 *
 * @param datasetSize N
 * @param sampleRate q
 * @param steps T
 * @param noiseMultiplier sigma (0 for a non-private run)
 * @param plannedEpsilon epsilon after T steps (+inf for a non-private run)
 * @param accountant the accountant that produced plannedEpsilon
 */
public record TrainPlan(int datasetSize, double sampleRate, long steps, double noiseMultiplier,
        double plannedEpsilon, String accountant) {

    /**
     * Plans {@code config} on a data set of {@code n} examples.
     *
     * @throws DpdmException when the target cannot be met: the given sigma would overspend, or
     *     no sigma reaches it
     */
    public static TrainPlan of(TrainConfig config, int n) {
        TrainConfig.Schedule s = config.schedule();
        if (s.batchSize() > n) {
            throw new DpdmException("schedule.batchSize " + s.batchSize() + " exceeds the data set size " + n);
        }
        double q = (double) s.batchSize() / n;
        long steps = s.totalSteps(n);
        TrainConfig.Privacy p = config.privacy();
        if (!p.isPrivate()) {
            return new TrainPlan(n, q, steps, 0, Double.POSITIVE_INFINITY, "none");
        }
        Accountant accountant = Accountants.byName(p.accountant());
        double sigma;
        if (p.noiseMultiplier() != null) {
            sigma = p.noiseMultiplier();
        } else {
            try {
                sigma = NoiseCalibration.noiseMultiplier(accountant, p.epsilon(), p.delta(), q, steps);
            } catch (IllegalArgumentException e) {
                throw new DpdmException("cannot meet epsilon " + p.epsilon() + " at delta " + p.delta() + " with "
                        + steps + " steps at q = " + fmt(q) + ": " + e.getMessage());
            }
        }
        PrivacyResult planned = accountant.epsilon(q, sigma, steps, p.delta());
        if (planned.epsilon() > p.epsilon()) {
            throw new DpdmException("refusing to start: " + steps + " steps at q = " + fmt(q) + " with noise multiplier "
                    + fmt(sigma) + " would spend epsilon " + fmt(planned.epsilon()) + " > target " + p.epsilon()
                    + " at delta " + p.delta() + " (" + accountant.name() + "); raise the noise multiplier or train"
                    + " fewer steps");
        }
        return new TrainPlan(n, q, steps, sigma, planned.epsilon(), planned.accountant());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
