package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The kernel's share of a benchmark's CPU time, read from /proc/self/stat. */
class ProcessCpuTest {
    @Test
    void shareIsKernelTicksOverUserTicksOfTheInterval() {
        assertEquals(0.2, new ProcessCpu(150, 30).systemPerUserSince(new ProcessCpu(100, 20)), 1e-12);
        assertEquals(0.0, new ProcessCpu(100, 20).systemPerUserSince(new ProcessCpu(100, 20)), 1e-12);
    }

    @Test
    void userTimeGrowsWhileThisThreadComputes() {
        ProcessCpu start = ProcessCpu.now();
        long end = System.nanoTime() + 300_000_000L;
        double sink = 0;
        while (System.nanoTime() < end) {
            sink += Math.sqrt(sink + 1);
        }
        ProcessCpu after = ProcessCpu.now();
        // a clock tick is at most 10 ms; 0.3 s of pure arithmetic must show as user time, not kernel time
        assertTrue(after.userTicks() - start.userTicks() >= 10, "user ticks " + start + " -> " + after + " " + sink);
        assertTrue(after.systemTicks() >= start.systemTicks());
    }
}
