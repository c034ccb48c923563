package io.dpdm.nn;

import java.util.Arrays;

/** Wall-clock timing of repeated work: medians, so one descheduled round does not decide. */
public final class Timing {
    private Timing() {}

    /** Runs {@code work} once to warm up, then {@code rounds} times; the median seconds of those rounds. */
    public static double medianSeconds(Runnable work, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        }
        work.run();
        double[] seconds = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            work.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        return median(seconds);
    }

    /** The middle value (the upper one of an even count). */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
