package io.dpdm.train;

import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Timing;

/**
 * How long a DP-SGD step of a config takes on this CPU, measured before a run is planned (so a
 * job can size its steps to a time budget): the median of {@value #ROUNDS} timed passes after one
 * to warm up, the same pass {@link PrecisionChoice} times (noise images, public randomness, a
 * throwaway copy of the network), times the passes of an expected batch. Like the precision
 * choice it depends on the network, the schedule and the CPU, never on the private data or the
 * run's keys. Poisson sampling, the noise and Adam are left out: they cost a few percent of a
 * step (a planner's constants absorb them).
 */
public final class StepTiming {
    private static final int ROUNDS = 3;

    private StepTiming() {}

    /** Seconds of the passes of one expected batch of {@code config}, in the precision it will train in. */
    public static double secondsPerStep(TrainConfig config) {
        TrainConfig resolved = config.schedule().precision() == Precision.AUTO
                ? PrecisionChoice.resolve(config).config() : config;
        try (ParameterStore store = new ParameterStore(resolved.seed())) {
            Runnable pass = PrecisionChoice.timedPass(resolved, store);
            store.usePrecision(resolved.schedule().precision());
            return Timing.medianSeconds(pass, ROUNDS) * passesPerStep(resolved);
        }
    }

    /** Timed passes (micro-batches, each with all K draws of its examples) in an expected batch: B / M, rounded up. */
    static long passesPerStep(TrainConfig config) {
        int b = config.schedule().batchSize();
        int m = Math.min(config.passSize(), b);
        return (b + m - 1) / m;
    }
}
