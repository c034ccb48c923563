package io.dpdm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example is {@link ReadmeExample} verbatim, and it runs: the whole job on a
 * tiny 28x28 two-class data set with the smoke preset.
 */
class ReadmeExampleTest {
    @Test
    void theReadmeShowsTheExampleVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/dpdm/api/ReadmeExample.java"));
        String body = source.substring(source.indexOf("// README:begin") + "// README:begin".length(),
                source.indexOf("// README:end"));
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains(dedent(body).strip()), "README.md must show ReadmeExample's code verbatim:\n"
                + dedent(body));
    }

    @Test
    void theExampleRunsOnTinyData(@TempDir Path dir) {
        Path data = tinyData(dir.resolve("tiny"));
        double accuracy = ReadmeExample.trainSampleEvaluate(data.toString(), "smoke", dir.resolve("out"));
        assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
        assertTrue(Files.exists(dir.resolve("out/run/model.zip")));
        assertEquals(1000, io.dpdm.data.Datasets.open(dir.resolve("out/synthetic/idx"),
                io.dpdm.data.LoadOptions.defaults()).train().size());
    }

    /** Two classes of 28x28 images (bright left or top half), 40 train and 20 test each. */
    static Path tinyData(Path folder) {
        ImageShape shape = new ImageShape(1, 28, 28);
        SplittableRandom rng = new SplittableRandom(5);
        ImageSplit[] splits = new ImageSplit[2];
        for (int s = 0; s < 2; s++) {
            int n = s == 0 ? 80 : 40;
            byte[] pixels = new byte[n * shape.size()];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 2;
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        boolean bright = labels[i] == 0 ? x < 14 : y < 14;
                        pixels[i * shape.size() + y * 28 + x] = (byte) ((bright ? 200 : 30) + rng.nextInt(-25, 26));
                    }
                }
            }
            splits[s] = new ImageSplit(shape, pixels, labels);
        }
        IdxWriter.writeDataset(folder, new ImageDataset("tiny", shape, List.of("left", "top"), splits[0], splits[1]));
        return folder;
    }

    private static String dedent(String code) {
        return code.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
                .collect(java.util.stream.Collectors.joining("\n"));
    }
}
