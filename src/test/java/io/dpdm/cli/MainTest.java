package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir Path dir;

    @Test
    void unknownCommandIsUsageError() {
        assertEquals(Main.USAGE, CliRun.of("no-such-command").code());
    }

    @Test
    void debugAfterSubcommandPrintsStackTraceAndPlainRunPrintsOneLine() {
        String missing = dir.resolve("missing").toString();
        CliRun plain = CliRun.of("data", "info", missing);
        assertEquals(Main.FAILED, plain.code());
        assertEquals(1, plain.err().strip().lines().count(), plain.err());
        CliRun debug = CliRun.of("data", "info", missing, "--debug");
        assertEquals(Main.FAILED, debug.code());
        assertTrue(debug.err().contains("\tat io.dpdm."), debug.err());
    }
}
