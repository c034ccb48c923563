package io.dpdm.train;

import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Timing;

/**
 * How long a DP-SGD step of a config takes on this CPU, measured before a run is planned (so a
 * job can size its steps to a time budget): the median of {@value #ROUNDS} timed passes after one
 * to warm up, the same pass {@link PrecisionChoice} times (noise images, public randomness, a
 * throwaway copy of the network), times the passes of an expected batch, times
 * {@value #WALL_PER_TIMED} for what a run's step adds to its passes (Poisson sampling, loading the
 * images, the noise, Adam, EMA). Measured on an AMD Zen3 (docs/EXPERIMENTS.md rows TB2-TB4): the
 * {@code quick} preset's one pass timed 1.07-1.20 s and its steps ran 1.18-1.42 s; the {@code cpu}
 * preset's four passes timed 5.00 s and its steps ran 4.4-5.2 s. Like the precision choice it
 * depends on the network, the schedule and the CPU, never on the private data or the run's keys.
 */
public final class StepTiming {
    private static final int ROUNDS = 3;
    static final double WALL_PER_TIMED = 1.10;

    private StepTiming() {}

    /** Predicted wall seconds of one step of {@code config}, in the precision it will train in. */
    public static double secondsPerStep(TrainConfig config) {
        TrainConfig resolved = config.schedule().precision() == Precision.AUTO
                ? PrecisionChoice.resolve(config).config() : config;
        try (ParameterStore store = new ParameterStore(resolved.seed())) {
            Runnable pass = PrecisionChoice.timedPass(resolved, store);
            store.usePrecision(resolved.schedule().precision());
            return Timing.medianSeconds(pass, ROUNDS) * passesPerStep(resolved) * WALL_PER_TIMED;
        }
    }

    /** Timed passes (micro-batches, each with all K draws of its examples) in an expected batch: B / M, rounded up. */
    static long passesPerStep(TrainConfig config) {
        int b = config.schedule().batchSize();
        int m = Math.min(config.passSize(), b);
        return (b + m - 1) / m;
    }
}
