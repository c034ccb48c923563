package io.dpdm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IdxWriter output reads back unchanged; plain IDX written by hand reads as its bytes say. */
class IdxRoundTripTest {
    @TempDir
    Path dir;

    private static ImageSplit randomSplit(ImageShape shape, int n, int classes, long seed) {
        Random random = new Random(seed);
        byte[] pixels = new byte[n * shape.size()];
        random.nextBytes(pixels);
        int[] labels = random.ints(n, 0, classes).toArray();
        return new ImageSplit(shape, pixels, labels);
    }

    private static void assertSameSplit(ImageSplit expected, ImageSplit actual) {
        assertEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.labels(), actual.labels());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.rawImage(i), actual.rawImage(i), "image " + i);
        }
    }

    @Test
    void grayDataSetRoundTrips() {
        ImageShape shape = new ImageShape(1, 5, 3);
        ImageDataset data = new ImageDataset("synth", shape, List.of("a", "b", "c"),
                randomSplit(shape, 20, 3, 1), randomSplit(shape, 7, 3, 2));
        IdxWriter.writeDataset(dir, data);
        ImageDataset back = Datasets.open(dir.toString(), LoadOptions.defaults());
        assertEquals(data.classNames(), back.classNames());
        assertSameSplit(data.train(), back.train());
        assertSameSplit(data.test(), back.test());
    }

    @Test
    void colourDataSetRoundTripsWithoutTestSplit() {
        ImageShape shape = new ImageShape(3, 4, 6);
        ImageDataset data = new ImageDataset("synth", shape, List.of("x", "y"),
                randomSplit(shape, 9, 2, 3), ImageSplit.empty(shape));
        IdxWriter.writeDataset(dir, data);
        assertEquals(List.of("classes.txt", "train-images-idx4-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                list(dir));
        ImageDataset back = Datasets.open(dir, LoadOptions.defaults());
        assertSameSplit(data.train(), back.train());
        assertEquals(0, back.test().size());
    }

    @Test
    void singleImagesFileWithItsLabelsFile() throws Exception {
        ImageShape shape = new ImageShape(1, 2, 2);
        ImageSplit split = randomSplit(shape, 5, 4, 4);
        IdxWriter.write(dir.resolve("samples-images-idx3-ubyte.gz"), dir.resolve("samples-labels-idx1-ubyte.gz"), split);
        TestData.write(dir.resolve("classes.txt"), "a\nb\nc\nd\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ImageDataset back = Datasets.open(dir.resolve("samples-images-idx3-ubyte.gz"), LoadOptions.defaults());
        assertEquals("samples", back.name());
        assertSameSplit(split, back.train());
    }

    @Test
    void signedImagesRoundTripThroughUint8() {
        ImageShape shape = new ImageShape(1, 1, 4);
        ImageSplit split = ImageSplit.fromSigned(shape, new float[] {-1f, 1f, 0f, 3f}, new int[] {0});
        // 0 -> 127.5 rounds to 128; 3 is clamped to 255
        assertArrayEquals(TestData.bytes(0, 255, 128, 255), split.rawImage(0));
    }

    @Test
    void plainIdxReadsAsWrittenByHand() throws Exception {
        TestData.write(dir.resolve("train-images-idx3-ubyte"),
                TestData.idx(0x803, new int[] {2, 1, 3}, TestData.bytes(1, 2, 3, 250, 251, 252)));
        TestData.write(dir.resolve("train-labels-idx1-ubyte"),
                TestData.idx(0x801, new int[] {2}, TestData.bytes(1, 0)));
        TestData.write(dir.resolve("classes.txt"), "a\nb\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ImageDataset back = Datasets.open(dir, LoadOptions.defaults());
        assertEquals(new ImageShape(1, 1, 3), back.shape());
        assertArrayEquals(TestData.bytes(250, 251, 252), back.train().rawImage(1));
        assertArrayEquals(new int[] {1, 0}, back.train().labels());
    }

    private static List<String> list(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
