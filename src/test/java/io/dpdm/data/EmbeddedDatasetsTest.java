package io.dpdm.data;

import io.dpdm.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped sets against published facts: Fashion-MNIST has 6,000/1,000 images per class and
 * its first training label is 9 (ankle boot); MNIST's per-class counts are those of the original
 * release and its first training digit is a 5.
 */
class EmbeddedDatasetsTest {
    private static final int[] MNIST_TRAIN = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    private static final int[] MNIST_TEST = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};

    @Test
    void fashionMnistThroughCliJson() throws Exception {
        CliRun run = CliRun.of("data", "info", "fashion-mnist", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("fashion-mnist", json.get("name").asText());
        assertEquals(1, json.at("/shape/channels").asInt());
        assertEquals(28, json.at("/shape/height").asInt());
        assertEquals(28, json.at("/shape/width").asInt());
        assertEquals(10, json.get("classes").size());
        assertEquals("Ankle boot", json.get("classes").get(9).asText());
        assertEquals(60000, json.at("/splits/train/size").asInt());
        assertEquals(10000, json.at("/splits/test/size").asInt());
        for (JsonNode count : json.at("/splits/train/per_class")) {
            assertEquals(6000, count.asInt());
        }
        for (JsonNode count : json.at("/splits/test/per_class")) {
            assertEquals(1000, count.asInt());
        }
        assertEquals(0, json.at("/pixel_range/raw/min").asInt());
        assertEquals(255, json.at("/pixel_range/raw/max").asInt());
        assertEquals(-1.0, json.at("/pixel_range/scaled/min").asDouble());
        assertEquals(1.0, json.at("/pixel_range/scaled/max").asDouble());
    }

    @Test
    void mnistMatchesPublishedCounts() {
        ImageDataset data = Datasets.open("mnist", LoadOptions.defaults());
        assertEquals(new ImageShape(1, 28, 28), data.shape());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), data.classNames());
        assertArrayEquals(MNIST_TRAIN, data.train().classCounts(10));
        assertArrayEquals(MNIST_TEST, data.test().classCounts(10));
        assertEquals(5, data.train().label(0));
        assertEquals(7, data.test().label(0));
    }

    @Test
    void mnistTextTable() {
        CliRun run = CliRun.of("data", "info", "mnist");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("image shape  28x28x1 (height x width x channels)"), run.out());
        assertTrue(run.out().matches("(?s).*\\n1\\s+6742\\s+1135\\n.*"), run.out());
        assertTrue(run.out().matches("(?s).*\\ntotal\\s+60000\\s+10000\\n.*"), run.out());
    }

    @Test
    void checksumMismatchIsRefused(@TempDir Path dataDir) throws Exception {
        Path home = Path.of(System.getProperty("dpdm.home"), "data");
        JsonNode index = new ObjectMapper().readTree(home.resolve(EmbeddedDatasets.INDEX).toFile());
        Files.writeString(dataDir.resolve(EmbeddedDatasets.INDEX), index.toString());
        Files.createDirectories(dataDir.resolve("mnist"));
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz")) {
            Files.copy(home.resolve("mnist").resolve(f), dataDir.resolve("mnist").resolve(f));
        }
        byte[] labels = Files.readAllBytes(home.resolve("mnist/t10k-labels-idx1-ubyte.gz"));
        labels[labels.length / 2] ^= 1;
        Path damaged = Files.write(dataDir.resolve("mnist/t10k-labels-idx1-ubyte.gz"), labels);
        DataException e = assertThrows(DataException.class, () -> new EmbeddedDatasets(dataDir).load("mnist"));
        assertTrue(e.getMessage().startsWith(damaged + ": sha256 mismatch: got "), e.getMessage());
        assertTrue(e.getMessage().contains("expected b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b"),
                e.getMessage());
    }
}
