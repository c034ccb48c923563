package io.dpdm.data;

import io.dpdm.cli.CliRun;
import static io.dpdm.data.TestData.assertRejected;
import static io.dpdm.data.TestData.bytes;
import static io.dpdm.data.TestData.gzip;
import static io.dpdm.data.TestData.idx;
import static io.dpdm.data.TestData.write;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every defect of IDX input gives a one-line error naming the file and the problem (API and CLI). */
class IdxErrorsTest {
    @TempDir
    Path dir;

    /** 3 images of 2x2 and 3 labels, valid. */
    private static byte[] images() {
        return idx(0x803, new int[] {3, 2, 2}, bytes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255));
    }

    private static byte[] labels(int... values) {
        return idx(0x801, new int[] {values.length}, bytes(values));
    }

    private Path images(byte[] content) throws Exception {
        return write(dir.resolve("train-images-idx3-ubyte.gz"), content);
    }

    private Path labelsFile(byte[] content) throws Exception {
        return write(dir.resolve("train-labels-idx1-ubyte.gz"), content);
    }

    @Test
    void validFilesLoad() throws Exception {
        images(gzip(images()));
        labelsFile(gzip(labels(0, 2, 1)));
        // The class list is declared, never derived from the labels (one record could change it).
        DataException missing = assertThrows(DataException.class, () -> Datasets.open(dir, LoadOptions.defaults()));
        assertTrue(missing.getMessage().startsWith(dir.resolve("classes.txt") + ": not found: declare the classes"),
                missing.getMessage());
        Files.writeString(dir.resolve("classes.txt"), "zero\none\ntwo\nthree\n");
        ImageDataset data = Datasets.open(dir, LoadOptions.defaults());
        assertEquals(new ImageShape(1, 2, 2), data.shape());
        assertEquals(3, data.train().size());
        assertEquals(0, data.test().size());
        assertEquals(java.util.List.of("zero", "one", "two", "three"), data.classNames());
        assertEquals(255, data.train().pixel(2, 3));
        assertEquals(2, data.train().label(1));
    }

    @Test
    void truncatedPlainFile() throws Exception {
        byte[] full = images();
        Path file = write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(full, full.length - 2));
        labelsFile(gzip(labels(0, 1, 2)));
        assertRejected(dir, file, "truncated: header announces 3 images of 2x2x1 (12 bytes) but the file ends after 10");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path file = images(bytes(0, 0, 8, 3, 0, 0));
        labelsFile(gzip(labels(0)));
        assertRejected(dir, file, "truncated: file ends inside the IDX header");
    }

    @Test
    void truncatedGzipStream() throws Exception {
        byte[] gz = gzip(images());
        Path file = images(Arrays.copyOf(gz, gz.length / 2));
        labelsFile(gzip(labels(0, 1, 2)));
        assertRejected(dir, file, "truncated");
    }

    @Test
    void corruptGzipData() throws Exception {
        byte[] gz = gzip(images());
        gz[gz.length - 6] ^= 0x5a; // damages the CRC32 in the gzip trailer
        Path file = images(gz);
        labelsFile(gzip(labels(0, 1, 2)));
        assertRejected(dir, file, "corrupt gzip data");
    }

    @Test
    void wrongMagicNumber() throws Exception {
        Path file = images(gzip(labels(0, 1, 2)));
        labelsFile(gzip(labels(0, 1, 2)));
        assertRejected(dir, file, "wrong magic number 0x00000801, expected 0x00000803 (IDX ubyte images)");
    }

    @Test
    void labelsFileWithImagesMagic() throws Exception {
        images(gzip(images()));
        Path file = labelsFile(gzip(images()));
        assertRejected(dir, file, "wrong magic number 0x00000803, expected 0x00000801 (IDX ubyte labels)");
    }

    @Test
    void imageLabelCountMismatch() throws Exception {
        images(gzip(images()));
        Path file = labelsFile(gzip(labels(0, 1)));
        assertRejected(dir, file, "has 2 labels but train-images-idx3-ubyte.gz has 3 images");
    }

    @Test
    void labelOutOfRange() throws Exception {
        images(gzip(images()));
        Path file = labelsFile(gzip(labels(0, 5, 1)));
        Files.writeString(dir.resolve("classes.txt"), "cat\ndog\n");
        assertRejected(dir, file, "label 5 of item 1 is out of range: " + dir.resolve("classes.txt")
                + " lists 2 classes (0..1)");
    }

    @Test
    void extraBytesAfterData() throws Exception {
        byte[] full = images();
        Path file = images(gzip(Arrays.copyOf(full, full.length + 3)));
        labelsFile(gzip(labels(0, 1, 2)));
        assertRejected(dir, file, "extra bytes after the 3 images of 2x2x1 the header announces");
    }

    @Test
    void emptyFile() throws Exception {
        Path file = images(new byte[0]);
        labelsFile(gzip(labels(0, 1, 2)));
        assertRejected(dir, file, "empty file");
    }

    @Test
    void testImagesOfAnotherShape() throws Exception {
        images(gzip(images()));
        labelsFile(gzip(labels(0, 1, 2)));
        Path file = write(dir.resolve("t10k-images-idx3-ubyte.gz"),
                gzip(idx(0x803, new int[] {1, 1, 3}, bytes(1, 2, 3))));
        write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(0)));
        assertRejected(dir, file, "images are 1x3x1 but the train images (train-images-idx3-ubyte.gz) are 2x2x1");
    }

    @Test
    void missingLabelsFileForSingleImagesFile() throws Exception {
        Path file = write(dir.resolve("synth-images-idx3-ubyte.gz"), gzip(images()));
        assertRejected(file, file, "labels file " + dir.resolve("synth-labels-idx1-ubyte.gz") + " not found");
    }

    @Test
    void unknownNameOrPath() {
        CliRun run = CliRun.of("data", "info", "no-such-set");
        assertEquals(1, run.code());
        assertTrue(run.err().startsWith("dpdm: error: no-such-set: no such file, folder or embedded data set"
                + " (embedded data sets: fashion-mnist, mnist)"), run.err());
    }
}
