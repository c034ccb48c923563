package io.dpdm.cli;

import io.dpdm.DpdmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's user and kernel CPU time so far, in clock ticks (/proc/self/stat, Linux).
 * Benchmarks report the kernel's share of their timed phase: page faults and zeroing of memory
 * that the allocator gave back show up there, while the one-off first touch of the peak during
 * warm-up does not.
 */
record ProcessCpu(long userTicks, long systemTicks) {
    static ProcessCpu now() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command name, which is in parentheses and may hold spaces: state is field 3,
            // utime field 14, stime field 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return new ProcessCpu(Long.parseLong(f[11]), Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
            throw new DpdmException("cannot read the process's CPU times from /proc/self/stat: " + e.getMessage());
        }
    }

    /** Kernel CPU time over user CPU time since {@code start}, rounded to 3 decimals. */
    double systemPerUserSince(ProcessCpu start) {
        long user = userTicks - start.userTicks;
        long system = systemTicks - start.systemTicks;
        return user == 0 ? 0 : Math.round(1000.0 * system / user) / 1000.0;
    }
}
