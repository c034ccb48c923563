package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which CPUs get oneDNN capped at AVX, from /proc/cpuinfo lines; and, on such a CPU, that the cap
 * is in the process environment oneDNN reads. (That the cap is needed is shown by the per-example
 * gradient tests, which fail on the affected CPU without it.)
 */
class OneDnnIsaTest {
    @Test
    void onlyAmdFamily26IsCapped() {
        assertTrue(OneDnnIsa.affected(cpu("AuthenticAMD", 26)));
        assertFalse(OneDnnIsa.affected(cpu("AuthenticAMD", 25)), "Zen3 / Zen4 computed correct gradients");
        assertFalse(OneDnnIsa.affected(cpu("GenuineIntel", 6)));
        assertFalse(OneDnnIsa.affected(List.of()), "no /proc/cpuinfo");
    }

    @Test
    void anAffectedCpuRunsWithTheCapInItsEnvironment() {
        Torch.engine();
        String variable = OneDnnIsa.VARIABLE;
        String user = System.getenv(variable); // the JVM's copy: what was set before the process started
        assumeTrue(user == null);
        boolean affected = OneDnnIsa.affected(OneDnnIsa.cpuInfo());
        com.sun.jna.Function getenv = com.sun.jna.NativeLibrary.getInstance("c").getFunction("getenv");
        String seen = (String) getenv.invoke(String.class, new Object[] {variable});
        assertEquals(affected ? OneDnnIsa.CAP : null, seen);
    }

    private static List<String> cpu(String vendor, int family) {
        return List.of("processor\t: 0", "vendor_id\t: " + vendor, "cpu family\t: " + family, "model\t\t: 2");
    }
}
