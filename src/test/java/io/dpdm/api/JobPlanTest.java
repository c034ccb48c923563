package io.dpdm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JobPlanTest {
    private static final Job.Budget QUICK = Job.Budget.QUICK;
    private static final int REAL = 60_000;

    /** The documented cost model, written out: seconds of the whole job for a plan. */
    private static double seconds(long steps, int images, double stepSeconds, boolean cached) {
        double draw = stepSeconds / 512;
        double training = steps * stepSeconds;
        double sampling = images * 6.2 * draw; // 10 levels
        double classifiers = 0.38 * draw * (0.9 * images * 20 + (cached ? 0 : 0.9 * REAL * 2));
        return training + sampling + classifiers + 45_000 * draw;
    }

    private static JobPlan quick(double minutes, double stepSeconds, boolean cached) {
        return JobPlan.fit(QUICK, minutes, 400, 512, stepSeconds, 0, REAL, cached);
    }

    @Test
    void aFastMachineRunsTheWholeBudget() {
        JobPlan p = quick(15, 0.5, false);
        assertEquals(1.0, p.scale());
        assertEquals(400, p.steps());
        assertEquals(15_000, p.images());
        assertEquals(seconds(400, 15_000, 0.5, false), p.predictedSeconds(), 1e-6);
        assertTrue(p.describe().contains("the whole budget fits"), p.describe());
    }

    @Test
    void aSlowMachineGetsTheLargestScaleThatFitsMostOfTheMinutes() {
        double step = 1.26; // the quick step of the machine the constants were measured on
        JobPlan p = quick(15, step, false);
        double fixed = seconds(0, 0, step, false);
        double expected = (0.85 * 900 - fixed) / (seconds(400, 15_000, step, false) - fixed);
        assertEquals(expected, p.scale(), 1e-12);
        assertTrue(expected > 0.5 && expected < 0.7, "scale " + expected);
        assertEquals(Math.round(expected * 400), p.steps());
        assertEquals((int) (expected * 15_000 / 500) * 500, p.images());
        assertEquals(seconds(p.steps(), p.images(), step, false), p.predictedSeconds(), 1e-6);
        assertTrue(p.predictedSeconds() <= 0.85 * 900 + step, "predicted " + p.predictedSeconds());
    }

    @Test
    void cachedCeilingsLeaveMoreForTrainingAndMoreMinutesMore() {
        JobPlan cold = quick(15, 1.26, false);
        JobPlan warm = quick(15, 1.26, true);
        JobPlan longer = quick(20, 1.26, false);
        assertTrue(warm.steps() > cold.steps() && warm.images() >= cold.images(), warm + " vs " + cold);
        assertTrue(longer.steps() > cold.steps(), longer + " vs " + cold);
    }

    @Test
    void aWarmStartCountsAgainstTheMinutes() {
        JobPlan without = quick(15, 1.26, false);
        JobPlan with = JobPlan.fit(QUICK, 15, 400, 512, 1.26, 1000L * 512, REAL, false);
        assertTrue(with.steps() < without.steps(), with + " vs " + without);
    }

    @Test
    void tooSlowAMachineRunsAQuarterAndSaysItDoesNotFit() {
        JobPlan p = quick(15, 6.0, false);
        assertEquals(0.25, p.scale());
        assertEquals(100, p.steps());
        assertEquals(3_500, p.images());
        assertTrue(p.predictedSeconds() > 900);
        assertTrue(p.describe().contains("does not fit"), p.describe());
    }

    @Test
    void minutesMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> quick(0, 1, true));
        assertThrows(IllegalArgumentException.class, () -> new Job("fashion-mnist", 10, 1e-5, QUICK, -1,
                Path.of("out"), Path.of("cache")));
        assertEquals(15, new Job("fashion-mnist", 10, 1e-5, QUICK, Path.of("out"), Path.of("cache")).minutes());
    }
}
