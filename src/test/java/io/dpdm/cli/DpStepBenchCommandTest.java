package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Argument checks of {@code dpdm bench dp-step} (the benchmark itself is run by hand, not in CI). */
class DpStepBenchCommandTest {
    private static String usageError(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(Main.USAGE, r.code());
        return r.err();
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertTrue(usageError("bench", "dp-step", "--model", "resnet", "--examples", "4").contains("resnet"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "0").contains("--examples"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "4", "--draws", "2").contains("--draws"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "4", "--leak-steps", "10")
                .contains("--leak-steps"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn").contains("--examples"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "4", "--method", "ghost")
                .contains("--method"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "4", "--reps", "0").contains("--reps"));
    }
}
