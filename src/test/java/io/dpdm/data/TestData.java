package io.dpdm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.cli.CliRun;
import io.dpdm.cli.Main;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Test helpers: hand-made IDX bytes and images, and a CLI runner that captures stdout/stderr. */
final class TestData {
    private TestData() {}

    /** IDX bytes written by hand (independent of IdxWriter): magic, dims, then data. */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static Path write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    /** A gray PNG whose pixel (y, x) is values[y * w + x]. */
    static Path grayPng(Path file, int h, int w, int... values) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setPixels(0, 0, w, h, values);
        return png(file, image);
    }

    /** An RGB PNG filled with one colour. */
    static Path rgbPng(Path file, int h, int w, int rgb) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return png(file, image);
    }

    static Path png(Path file, BufferedImage image) throws IOException {
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(image, "png", file.toFile()));
        return file;
    }

    /**
     * Asserts that loading {@code path} fails through the API with a message naming {@code file}
     * and containing {@code problem}, and that {@code dpdm data info path} exits 1 with that one
     * line on stderr and no stack trace.
     */
    static void assertRejected(Path path, Path file, String problem) {
        DataException e = assertThrows(DataException.class, () -> Datasets.open(path, LoadOptions.defaults()));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        CliRun run = CliRun.of("data", "info", path.toString());
        assertEquals(Main.FAILED, run.code());
        assertEquals("dpdm: error: " + e.getMessage(), run.err().strip());
        assertFalse(run.err().strip().contains("\n"), run.err());
    }
}
