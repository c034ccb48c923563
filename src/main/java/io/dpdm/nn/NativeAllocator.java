package io.dpdm.nn;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glibc malloc settings for PyTorch's CPU tensors, applied once when dpdm starts the engine (so an
 * embedding application gets them too, not only the launcher).
 *
 * <p>Why: PyTorch's CPU allocator is plain malloc. glibc serves blocks above its mmap threshold
 * (dynamic, at most 32 MB) with fresh mmaps and trims freed memory at the top of an arena, so
 * every training step gives its activation memory back to the kernel and faults it in again,
 * zeroed, page by page: about a third of a U-Net step's CPU time was kernel time. Here blocks
 * up to an arena heap's 64 MB come from the arenas (M_MMAP_MAX 0; only larger ones, which no
 * arena heap holds, still get their own mmap), and a high trim threshold and top pad keep freed
 * arena memory mapped for the next step.
 * Measured with {@code dpdm bench dp-step --model unet28 --examples 64 --draws 4} on 2 cores:
 * sys CPU 107 s with glibc's defaults, 37 s with only the 32 MB threshold, 8 s with M_MMAP_MAX 0
 * as well; peak resident memory 5.9 GB, then 7.0 and 6.6 GB. This is what the environment variable
 * GLIBC_TUNABLES would do, set from inside the process (a JVM cannot set its own environment).
 * {@code -Ddpdm.malloc=default} leaves malloc alone.
 */
final class NativeAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int M_MMAP_MAX = -4;
    /** glibc refuses an mmap threshold above HEAP_MAX_SIZE / 2 = 32 MB on 64-bit machines. */
    static final int MMAP_THRESHOLD = 32 << 20;
    static final int TRIM_THRESHOLD = 1 << 30;
    static final int TOP_PAD = 64 << 20;

    private static boolean configured;
    private static boolean applied;

    /** The C library's mallopt(3). */
    interface CLibrary extends Library {
        int mallopt(int param, int value);
    }

    private NativeAllocator() {}

    /**
     * Applies the settings on Linux with glibc, once per process; returns true when they are in
     * force. Anything else (another OS or C library, or -Ddpdm.malloc=default) keeps the defaults.
     */
    static synchronized boolean configure() {
        if (!configured) {
            configured = true;
            if ("default".equals(System.getProperty("dpdm.malloc")) || !Platform.isLinux()) {
                return false;
            }
            try {
                CLibrary c = Native.load("c", CLibrary.class);
                // mallopt returns 1 on success; each setting is independent of the others.
                boolean ok = c.mallopt(M_MMAP_MAX, 0) == 1
                        & c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                        & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                        & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
                if (!ok) {
                    LOG.warn("mallopt refused a setting; native memory keeps (some of) glibc's defaults");
                }
                applied = ok;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                LOG.warn("cannot tune native memory (mallopt): {}", e.getMessage());
            }
        }
        return applied;
    }
}
