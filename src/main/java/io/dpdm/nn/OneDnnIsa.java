package io.dpdm.nn;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps oneDNN (PyTorch's CPU convolutions) at AVX on CPUs where its AVX2 and AVX-512 float32
 * kernels were measured to compute wrong gradients, before the engine's first convolution.
 *
 * <p>Why: on a 2-core AMD EPYC Zen5 VM (family 26, model 2) the input gradient of small 3x3
 * convolutions (4 channels, 6x6, batch 2-6, through oneDNN) disagreed with the same gradient
 * computed one example at a time, by up to the gradient's own size: the per-example gradient
 * tests failed, and a per-example gradient that is wrong may carry other examples' data, which
 * the clipping bound does not cover. With {@code ONEDNN_MAX_CPU_ISA=AVX} (or SSE41) every test
 * passes; AVX2 and above fail. oneDNN reads that variable once, at its first primitive; here it
 * is set with the C library's setenv, so an embedding application gets it too. A value the user
 * set is kept.
 */
final class OneDnnIsa {
    private static final Logger LOG = LoggerFactory.getLogger(OneDnnIsa.class);
    static final String VARIABLE = "ONEDNN_MAX_CPU_ISA";
    static final String CAP = "AVX";

    /** The C library's setenv(3). */
    interface CLibrary extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private OneDnnIsa() {}

    /** Sets the cap on the affected CPUs; called once, by {@link Torch#engine()}. */
    static void configure() {
        if (!Platform.isLinux() || System.getenv(VARIABLE) != null || !affected(cpuInfo())) {
            return;
        }
        try {
            if (Native.load("c", CLibrary.class).setenv(VARIABLE, CAP, 0) != 0) {
                LOG.warn("cannot set {}={}: convolution gradients on this CPU may be wrong", VARIABLE, CAP);
            }
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("cannot set {}={} ({}): convolution gradients on this CPU may be wrong", VARIABLE, CAP,
                    e.getMessage());
        }
    }

    /** AMD family 26 (Zen5): the only CPU family seen to compute wrong convolution gradients. */
    static boolean affected(List<String> cpuInfo) {
        return field(cpuInfo, "vendor_id").equals("AuthenticAMD") && field(cpuInfo, "cpu family").equals("26");
    }

    /** The lines of /proc/cpuinfo, or none. */
    static List<String> cpuInfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name)).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("");
    }
}
