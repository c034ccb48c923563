package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --freeze}: the names reach the config, and a name the network lacks is one line, before any run. */
class TrainFreezeCommandTest {
    @Test
    void frozenNamesReachTheConfigAndATypoIsOneLine(@TempDir Path dir) {
        // ten classes of 28x28: the cpu preset starts them from a shipped public model
        String data = PublicStartTest.tinyData(dir.resolve("data")).toString();
        CliRun planned = CliRun.of("train", "--preset", "cpu", "--data", data, "--epsilon", "10", "--delta", "1e-5",
                "--freeze", "input,body0", "--dry-run");
        assertEquals(0, planned.code(), planned.err());
        assertTrue(planned.out().replaceAll("\\s", "").contains("\"frozen\":[\"input\",\"body0\"]"), planned.out());
        CliRun typo = CliRun.of("train", "--preset", "cpu", "--data", data, "--epsilon", "10", "--delta", "1e-5",
                "--freeze", "input,body99", "--out", dir.resolve("run").toString());
        assertEquals(1, typo.code());
        assertTrue(typo.err().startsWith("dpdm: error: optimisation.frozen: 'body99' names no parameter"), typo.err());
        assertEquals(1, typo.err().strip().lines().count(), typo.err());
    }
}
