package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifyCommandTest {
    @TempDir static Path dir;
    private static String data;

    @BeforeAll
    static void writeTinyDataset() {
        ImageShape shape = new ImageShape(1, 4, 4);
        IdxWriter.writeDataset(dir.resolve("tiny"), new ImageDataset("tiny", shape, List.of("a", "b"),
                split(shape, 40, 1), split(shape, 20, 2)));
        data = dir.resolve("tiny").toString();
    }

    /** Class 0 dark, class 1 bright. */
    private static ImageSplit split(ImageShape shape, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[n * shape.size()];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < shape.size(); j++) {
                pixels[i * shape.size() + j] = (byte) ((labels[i] == 0 ? 30 : 220) + r.nextInt(-20, 21));
            }
        }
        return new ImageSplit(shape, pixels, labels);
    }

    @Test
    void nonPrivateJson() throws Exception {
        CliRun r = CliRun.of("classify", "--model", "logreg", "--data", data, "--non-private", "--epochs", "2",
                "--batch-size", "8", "--lr", "0.01", "--validation", "0.25", "--json");
        assertEquals(Main.OK, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        for (String key : List.of("model", "data", "private", "test_accuracy", "per_class_accuracy", "epochs",
                "selected_epoch", "validation_accuracy", "train_size", "validation_size", "batch_size", "lr", "seed")) {
            assertTrue(j.has(key), key + " missing in " + r.out());
        }
        assertEquals(30, j.get("train_size").asInt());
        assertEquals(10, j.get("validation_size").asInt());
        assertEquals(2, j.get("per_class_accuracy").size());
        assertTrue(j.get("per_class_accuracy").has("b"));
        assertTrue(j.get("test_accuracy").asDouble() >= 0.9, r.out());
    }

    @Test
    void privateJsonReportsTheMechanism() throws Exception {
        CliRun r = CliRun.of("classify", "--model", "logreg", "--data", data, "--epsilon", "5", "--delta", "1e-5",
                "--accountant", "rdp", "--batch-size", "10", "--epochs", "2", "--clip", "1", "--lr", "0.05", "--json");
        assertEquals(Main.OK, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("private").asBoolean());
        assertEquals(8, j.get("steps").asLong());
        assertEquals(0.25, j.get("q").asDouble(), 1e-12);
        assertTrue(j.get("epsilon_spent").asDouble() <= 5);
        assertTrue(j.get("sigma").asDouble() > 0);
        assertEquals(0, j.get("validation_size").asInt()); // no selection on private data
        assertEquals("rdp", j.get("accountant").asText());
    }

    @Test
    void badInputGivesOneLineErrors() {
        assertUsage(CliRun.of("classify", "--model", "resnet", "--data", data, "--non-private"), "resnet");
        assertUsage(CliRun.of("classify", "--model", "cnn", "--data", data), "");
        assertUsage(CliRun.of("classify", "--model", "cnn", "--data", data, "--non-private", "--epsilon", "1",
                "--delta", "1e-5"), "");
        assertUsage(CliRun.of("classify", "--model", "logreg", "--data", data, "--epsilon", "1"), "");
        assertUsage(CliRun.of("classify", "--model", "logreg", "--data", data, "--epsilon", "1", "--delta", "1e-5",
                "--batch-size", "1000"), "batch size 1000");
        assertUsage(CliRun.of("classify", "--model", "cnn", "--data", data, "--non-private"), "18x18");
        assertUsage(CliRun.of("classify", "--model", "logreg", "--data", data, "--non-private", "--validation", "1.5"),
                "--validation");
        CliRun missing = CliRun.of("classify", "--model", "logreg", "--data", dir.resolve("nothing").toString(), "--non-private");
        assertEquals(Main.FAILED, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
    }

    private static void assertUsage(CliRun r, String mentions) {
        assertEquals(Main.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(mentions), r.err());
    }
}
