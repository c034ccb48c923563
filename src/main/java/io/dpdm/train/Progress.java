package io.dpdm.train;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Console progress of a training run: a progress bar with ETA and epsilon spent on a terminal,
 * one plain line per metrics interval otherwise (logs, pipes), nothing when disabled.
 */
interface Progress extends AutoCloseable {
    /** {@code done} logical steps completed, {@code epsilon} spent so far (RDP bound; inf if non-private). */
    void update(long done, double epsilon);

    /** Called after every step; only the bar moves. */
    default void step(long done) {}

    @Override
    void close();

    static Progress create(boolean enabled, long total, long initial) {
        if (!enabled) {
            return new Progress() {
                @Override
                public void update(long done, double epsilon) {}

                @Override
                public void close() {}
            };
        }
        if (System.console() == null) {
            return new Progress() {
                @Override
                public void update(long done, double epsilon) {
                    System.err.printf(Locale.ROOT, "train: step %d/%d, epsilon spent %s%n", done, total, eps(epsilon));
                }

                @Override
                public void close() {}
            };
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500).startsFrom(initial, Duration.ZERO).showSpeed().build();
        return new Progress() {
            @Override
            public void step(long done) {
                bar.stepTo(done);
            }

            @Override
            public void update(long done, double epsilon) {
                bar.stepTo(done);
                bar.setExtraMessage("eps " + eps(epsilon));
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

    private static String eps(double epsilon) {
        return Double.isInfinite(epsilon) ? "inf (non-private)" : String.format(Locale.ROOT, "%.3f", epsilon);
    }
}
