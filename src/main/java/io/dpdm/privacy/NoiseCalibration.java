package io.dpdm.privacy;

import java.util.List;

/**
 * Noise calibration: the noise multiplier that meets a target (eps, delta) for T steps at sampling
 * rate q, by exactly Opacus' search ({@code get_noise_multiplier}) so reference values reproduce:
 * sigma_high starts at 10 and doubles (first evaluated at 20) until eps(sigma_high) &lt; target
 * (failing above 1e6), then bisection on [0, sigma_high] until target - eps(sigma_high) &le;
 * 0.01. The returned sigma_high always satisfies the target. Also the inverse question: how many
 * steps a given sigma allows.
 */
public final class NoiseCalibration {
    /** Opacus' epsilon_tolerance: the search stops once eps(sigma) is within this of the target. */
    public static final double EPSILON_TOLERANCE = 0.01;
    private static final double MAX_SIGMA = 1e6;

    private NoiseCalibration() {}

    /**
     * Smallest noise multiplier (to Opacus' tolerance) with eps(sigma) &lt; targetEpsilon.
     *
     * @throws IllegalArgumentException if no sigma up to 1e6 reaches the target
     */
    public static double noiseMultiplier(Accountant accountant, double targetEpsilon, double delta, double q,
            long steps) {
        return noiseMultiplier(accountant, targetEpsilon, delta, List.of(), q, steps);
    }

    /**
     * The same search when {@code prior} phases (releases already made from the same data) are
     * composed with the T steps: eps(prior + T steps at sigma) &lt; targetEpsilon.
     *
     * @throws IllegalArgumentException if no sigma up to 1e6 reaches the target (e.g. the prior
     *     phases alone spend it)
     */
    public static double noiseMultiplier(Accountant accountant, double targetEpsilon, double delta, List<Phase> prior,
            double q, long steps) {
        if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
            throw new IllegalArgumentException("target epsilon=" + targetEpsilon + " must be > 0 and finite");
        }
        new Phase(q, 1, steps); // validates q and steps before any work
        double sigmaLow = 0;
        double sigmaHigh = 10;
        double epsHigh = Double.POSITIVE_INFINITY;
        while (epsHigh > targetEpsilon) {
            sigmaHigh *= 2;
            epsHigh = eps(accountant, prior, sigmaHigh, delta, q, steps);
            if (sigmaHigh > MAX_SIGMA) {
                throw new IllegalArgumentException("target epsilon=" + targetEpsilon + " at delta=" + delta
                        + " is unreachable: even noise multiplier " + MAX_SIGMA + " gives a larger epsilon");
            }
        }
        while (targetEpsilon - epsHigh > EPSILON_TOLERANCE) {
            double sigma = (sigmaLow + sigmaHigh) / 2;
            double eps = eps(accountant, prior, sigma, delta, q, steps);
            if (eps < targetEpsilon) {
                sigmaHigh = sigma;
                epsHigh = eps;
            } else {
                sigmaLow = sigma;
            }
        }
        return sigmaHigh;
    }

    /**
     * Largest number of steps (&ge; 0) whose epsilon does not exceed targetEpsilon, up to
     * maxSteps: exponential search then bisection (eps grows with steps).
     */
    public static long maxSteps(Accountant accountant, double targetEpsilon, double delta, double q, double sigma,
            long maxSteps) {
        if (!(targetEpsilon > 0)) {
            throw new IllegalArgumentException("target epsilon=" + targetEpsilon + " must be > 0");
        }
        if (maxSteps < 1) {
            throw new IllegalArgumentException("max steps=" + maxSteps + " must be >= 1");
        }
        long good = 0;
        long bad = 1;
        while (bad <= maxSteps && accountant.epsilon(q, sigma, bad, delta).epsilon() <= targetEpsilon) {
            good = bad;
            bad = bad * 2;
        }
        if (bad > maxSteps) {
            if (accountant.epsilon(q, sigma, maxSteps, delta).epsilon() <= targetEpsilon) {
                return maxSteps;
            }
            bad = maxSteps;
        }
        while (bad - good > 1) {
            long mid = good + (bad - good) / 2;
            if (accountant.epsilon(q, sigma, mid, delta).epsilon() <= targetEpsilon) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        return good;
    }

    private static double eps(Accountant accountant, List<Phase> prior, double sigma, double delta, double q,
            long steps) {
        List<Phase> all = new java.util.ArrayList<>(prior);
        all.add(new Phase(q, sigma, steps));
        return accountant.epsilon(all, delta).epsilon();
    }
}
