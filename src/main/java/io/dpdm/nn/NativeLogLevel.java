package io.dpdm.nn;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The minimum severity of PyTorch's C++ log (c10's {@code FLAGS_caffe2_log_level}), set once the
 * engine's libraries are loaded: ERROR unless {@code TORCH_CPP_LOG_LEVEL} says otherwise.
 *
 * <p>Why: PyTorch reads {@code TORCH_CPP_LOG_LEVEL} only when its Python module starts, so under
 * DJL the variable does nothing and every C++ warning reaches stderr. On CPUs where NNPACK cannot
 * start (seen on a 2-core AMD EPYC Zen4 VM), libtorch logs "Could not initialize NNPACK! Reason:
 * Unsupported hardware." on every convolution call: 2,600 lines in the first 90 s of a demo,
 * burying the progress lines. Warnings from PyTorch's internals are not the user's to act on;
 * errors still get through. Applied from inside the process so an embedding application gets it
 * too, not only the launcher.
 */
final class NativeLogLevel {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLogLevel.class);
    static final String VARIABLE = "FLAGS_caffe2_log_level";
    static final int ERROR = 2;

    private NativeLogLevel() {}

    /** Sets the level; called once, by {@link Torch#engine()} after the engine has loaded libc10. */
    static void configure() {
        if (!Platform.isLinux()) {
            return;
        }
        String asked = System.getenv("TORCH_CPP_LOG_LEVEL");
        int level = asked == null ? ERROR : parse(asked);
        try {
            Optional<Path> c10 = loadedLibrary("libc10.so");
            if (c10.isEmpty()) {
                LOG.warn("libc10.so is not loaded; PyTorch's C++ warnings stay on");
                return;
            }
            NativeLibrary.getInstance(c10.get().toString()).getGlobalVariableAddress(VARIABLE).setInt(0, level);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("cannot set PyTorch's C++ log level: {}", e.getMessage());
        }
    }

    /**
     * PyTorch's names for TORCH_CPP_LOG_LEVEL (INFO 0, WARNING 1, ERROR 2, FATAL 3) or a number;
     * anything else keeps ERROR.
     */
    static int parse(String value) {
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "INFO", "0" -> 0;
            case "WARNING", "1" -> 1;
            case "FATAL", "3" -> 3;
            default -> ERROR;
        };
    }

    /** The file of a shared library this process has mapped, from /proc/self/maps. */
    static Optional<Path> loadedLibrary(String fileName) {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(file -> file.endsWith("/" + fileName))
                    .findFirst()
                    .map(Path::of);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
