package io.dpdm.train;

import io.dpdm.DpdmException;
import io.dpdm.privacy.Accountant;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.NoiseCalibration;
import io.dpdm.privacy.Phase;
import io.dpdm.privacy.PrivacyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The privacy plan of a run, fixed before the first step: Poisson rate q = B / N, T logical
 * steps, the noise multiplier sigma (calibrated for the target with the chosen accountant, or
 * given) and the epsilon the whole run will have spent at delta, counting every earlier release
 * from the same data ({@code prior}: e.g. the ledger of a private initial model). Saved with the
 * run so a resume continues with exactly the same mechanism.
 *
 * @param datasetSize N
 * @param sampleRate q
 * @param steps T
 * @param noiseMultiplier sigma (0 for a non-private run)
 * @param plannedEpsilon epsilon after the prior phases and T steps (+inf for a non-private run)
 * @param accountant the accountant that produced plannedEpsilon ("rdp" if PRV fell back); the
 *     released guarantee is computed with it
 * @param prior phases released from the same data before this run, composed into its guarantee
 */
public record TrainPlan(int datasetSize, double sampleRate, long steps, double noiseMultiplier,
        double plannedEpsilon, String accountant, List<Phase> prior) {
    public TrainPlan {
        prior = prior == null ? List.of() : List.copyOf(prior);
    }

    /** Steps of all prior phases. */
    public long priorSteps() {
        return prior.stream().mapToLong(Phase::steps).sum();
    }

    /** Plans {@code config} on a data set of {@code n} examples with nothing released before. */
    public static TrainPlan of(TrainConfig config, int n) {
        return of(config, n, List.of());
    }

    /**
     * Plans {@code config} on a data set of {@code n} examples after the {@code prior} releases.
     *
     * @throws DpdmException when the target cannot be met: the given sigma would overspend, or
     *     no sigma reaches it
     */
    public static TrainPlan of(TrainConfig config, int n, List<Phase> prior) {
        TrainConfig.Schedule s = config.schedule();
        if (s.batchSize() > n) {
            throw new DpdmException("schedule.batchSize " + s.batchSize() + " exceeds the data set size " + n);
        }
        double q = (double) s.batchSize() / n;
        long steps = s.totalSteps(n);
        TrainConfig.Privacy p = config.privacy();
        if (!p.isPrivate()) {
            return new TrainPlan(n, q, steps, 0, Double.POSITIVE_INFINITY, "none", prior);
        }
        Accountant accountant = Accountants.byName(p.accountant());
        String earlier = prior.isEmpty() ? "" : " after the earlier releases (" + prior + ")";
        if (!prior.isEmpty()) {
            double spent = accountant.epsilon(prior, p.delta()).epsilon();
            if (spent >= p.epsilon()) {
                throw new DpdmException("the earlier releases alone spend epsilon " + fmt(spent) + " >= target "
                        + p.epsilon() + " at delta " + p.delta() + ", leaving nothing for DP-SGD: " + prior
                        + "; raise warmStart.release.noiseMultiplier, lower its rounds or sampleRate, or raise the target");
            }
        }
        double sigma;
        if (p.noiseMultiplier() != null) {
            sigma = p.noiseMultiplier();
        } else {
            try {
                sigma = NoiseCalibration.noiseMultiplier(accountant, p.epsilon(), p.delta(), prior, q, steps);
            } catch (IllegalArgumentException e) {
                throw new DpdmException("cannot meet epsilon " + p.epsilon() + " at delta " + p.delta() + " with "
                        + steps + " steps at q = " + fmt(q) + earlier + ": " + e.getMessage());
            }
        }
        List<Phase> all = new ArrayList<>(prior);
        all.add(new Phase(q, sigma, steps));
        PrivacyResult planned = accountant.epsilon(all, p.delta());
        if (planned.epsilon() > p.epsilon()) {
            throw new DpdmException("refusing to start: " + steps + " steps at q = " + fmt(q) + " with noise multiplier "
                    + fmt(sigma) + earlier + " would spend epsilon " + fmt(planned.epsilon()) + " > target "
                    + p.epsilon() + " at delta " + p.delta() + " (" + accountant.name() + "); raise the noise multiplier"
                    + " or train fewer steps");
        }
        return new TrainPlan(n, q, steps, sigma, planned.epsilon(), planned.accountant(), prior);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
