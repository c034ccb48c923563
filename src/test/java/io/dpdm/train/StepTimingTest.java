package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StepTimingTest {
    private static final Path NO_DATA = Path.of("no-such-data"); // the timing never reads the data

    private static TrainConfig withPasses(int batch, Integer passSize) {
        TrainConfig tiny = TinyRuns.config(NO_DATA, 10, 3);
        TrainConfig.Schedule s = tiny.schedule();
        return tiny.withSchedule(new TrainConfig.Schedule(batch, null, 3L, passSize, null, s.precision()));
    }

    @Test
    void aStepIsItsBatchInPassesRoundedUp() {
        assertEquals(3, StepTiming.passesPerStep(withPasses(8, 3))); // 3 + 3 + 2
        assertEquals(2, StepTiming.passesPerStep(withPasses(8, 4)));
        assertEquals(1, StepTiming.passesPerStep(withPasses(8, 16))); // never a pass larger than the batch
        assertEquals(1, StepTiming.passesPerStep(withPasses(8, null))); // PassSize: 8 examples of the tiny net fit
    }

    @Test
    void timesTheStepOnNoiseWithoutTheData() {
        double seconds = StepTiming.secondsPerStep(withPasses(8, 2));
        assertTrue(seconds > 0 && Double.isFinite(seconds), "seconds " + seconds);
    }
}
