package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Once the engine has started, c10's log threshold is the one the user asked for in
 * TORCH_CPP_LOG_LEVEL, or ERROR; read back through the symbol c10 exports, looked up via dlsym
 * (not through the class under test).
 */
class NativeLogLevelTest {
    @Test
    void theEngineStartsWithPyTorchsWarningsOff() {
        assumeTrue(Platform.isLinux());
        Torch.engine();
        Path c10 = NativeLogLevel.loadedLibrary("libc10.so").orElseThrow();
        assertTrue(c10.isAbsolute(), c10.toString());
        NativeLibrary dl = NativeLibrary.getInstance("dl");
        Function dlopen = dl.getFunction("dlopen");
        Function dlsym = dl.getFunction("dlsym");
        Pointer handle = (Pointer) dlopen.invoke(Pointer.class,
                new Object[] {c10.toString(), 1 /* RTLD_LAZY */});
        Pointer flag = (Pointer) dlsym.invoke(Pointer.class,
                new Object[] {handle, NativeLogLevel.VARIABLE});
        String asked = System.getenv("TORCH_CPP_LOG_LEVEL");
        int expected = asked == null ? 2 : NativeLogLevel.parse(asked);
        assertEquals(expected, flag.getInt(0), "c10's " + NativeLogLevel.VARIABLE);
    }

    @Test
    void levelNamesArePyTorchs() {
        assertEquals(0, NativeLogLevel.parse("INFO"));
        assertEquals(1, NativeLogLevel.parse("warning"));
        assertEquals(2, NativeLogLevel.parse("ERROR"));
        assertEquals(3, NativeLogLevel.parse(" fatal "));
        assertEquals(1, NativeLogLevel.parse("1"));
        assertEquals(2, NativeLogLevel.parse("loud"), "an unknown name keeps ERROR");
    }
}
