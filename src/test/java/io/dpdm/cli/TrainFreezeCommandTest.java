package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --freeze}: the names reach the config, and a name the network lacks is one line, before any run. */
class TrainFreezeCommandTest {
    /** 20 blank 28x28 images in 10 classes: the cpu preset starts it from a shipped public model. */
    private static Path data(Path folder) {
        ImageShape shape = new ImageShape(1, 28, 28);
        List<String> classes = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
        IdxWriter.writeDataset(folder, new ImageDataset("blank28", shape, classes,
                new ImageSplit(shape, new byte[20 * shape.size()], IntStream.range(0, 20).map(i -> i % 10).toArray()),
                ImageSplit.empty(shape)));
        return folder;
    }

    @Test
    void frozenNamesReachTheConfigAndATypoIsOneLine(@TempDir Path dir) {
        String data = data(dir.resolve("data")).toString();
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
