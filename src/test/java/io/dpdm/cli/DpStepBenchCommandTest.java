package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Argument checks of {@code dpdm bench dp-step} (the benchmark itself is run by hand, not in CI). */
class DpStepBenchCommandTest {
    private static String usageError(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Main.USAGE, Main.run(args));
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertTrue(usageError("bench", "dp-step", "--model", "resnet", "--examples", "4").contains("resnet"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "0").contains("--examples"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "4", "--draws", "2").contains("--draws"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn", "--examples", "4", "--leak-steps", "10")
                .contains("--leak-steps"));
        assertTrue(usageError("bench", "dp-step", "--model", "cnn").contains("--examples"));
    }
}
