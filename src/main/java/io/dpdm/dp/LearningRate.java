package io.dpdm.dp;

/**
 * The learning rate of each update: {@code peak} until the last {@code decayFraction} of the
 * {@code totalSteps} updates, then falling linearly to 0 at update totalSteps. Under DP the
 * per-step noise keeps the weights jittering at a scale set by the learning rate; decaying it at
 * the end settles them (as the EMA does, from the other side).
 *
 * @param peak the learning rate before the decay, &gt; 0
 * @param totalSteps the run's length in updates, &gt;= 1
 * @param decayFraction in [0, 1]; 0 keeps the rate constant
 */
public record LearningRate(double peak, long totalSteps, double decayFraction) {
    public LearningRate {
        if (!(peak > 0 && Double.isFinite(peak)) || totalSteps < 1 || !(decayFraction >= 0 && decayFraction <= 1)) {
            throw new IllegalArgumentException("learning rate needs peak > 0, totalSteps >= 1, decay fraction in"
                    + " [0, 1]; got " + peak + ", " + totalSteps + ", " + decayFraction);
        }
    }

    /** A constant rate. */
    public static LearningRate constant(double lr) {
        return new LearningRate(lr, 1, 0);
    }

    /** The rate of update {@code n} (counted from 1). */
    public double at(long n) {
        double decaySteps = decayFraction * totalSteps;
        double left = totalSteps - n + 1; // updates from this one to the last, this one included
        return decaySteps > 0 && left < decaySteps ? peak * Math.max(0, left) / decaySteps : peak;
    }
}
