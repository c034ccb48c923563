package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir Path dir;

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.run(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void unknownCommandIsUsageError() {
        assertEquals(Main.USAGE, run("no-such-command").code());
    }

    @Test
    void debugAfterSubcommandPrintsStackTraceAndPlainRunPrintsOneLine() {
        String missing = dir.resolve("missing").toString();
        Run plain = run("data", "info", missing);
        assertEquals(Main.FAILED, plain.code());
        assertEquals(1, plain.err().strip().lines().count(), plain.err());
        Run debug = run("data", "info", missing, "--debug");
        assertEquals(Main.FAILED, debug.code());
        assertTrue(debug.err().contains("\tat io.dpdm."), debug.err());
    }
}
