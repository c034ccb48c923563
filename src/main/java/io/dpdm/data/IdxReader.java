package io.dpdm.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format: big-endian header, then raw uint8 data), plain or gzipped
 * (recognised by the gzip signature, whatever the file name). Supported:
 * <ul>
 *   <li>0x00000803: ubyte images (count, rows, cols), grayscale;</li>
 *   <li>0x00000804: ubyte images (count, channels, rows, cols), channel-first, 1 or 3 channels —
 *       dpdm's extension for colour sets, written by {@link IdxWriter};</li>
 *   <li>0x00000801: ubyte labels (count).</li>
 * </ul>
 * The data are read with one bulk read into the final array (no per-pixel work), so 60,000
 * gzipped 28x28 images load in well under a second. Every defect is reported as a
 * {@link DataException} naming the file: truncation, corrupt gzip data, wrong magic number,
 * impossible sizes, extra bytes after the announced data.
 */
public final class IdxReader {
    public static final int IMAGES = 0x00000803;
    public static final int IMAGES_CHW = 0x00000804;
    public static final int LABELS = 0x00000801;
    private static final int BUFFER = 1 << 16;

    private IdxReader() {}

    /** Images of one IDX file with their shape; pixels hold count * shape.size() values. */
    public record Images(ImageShape shape, int count, byte[] pixels) {}

    public static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = header(in, file);
            if (magic != IMAGES && magic != IMAGES_CHW) {
                throw new DataException(file, String.format("wrong magic number 0x%08X, expected 0x%08X"
                        + " (IDX ubyte images) or 0x%08X (IDX ubyte images with channels)", magic, IMAGES, IMAGES_CHW));
            }
            long count = unsigned(in, file);
            long channels = magic == IMAGES_CHW ? unsigned(in, file) : 1;
            long rows = unsigned(in, file);
            long cols = unsigned(in, file);
            if (channels != 1 && channels != 3) {
                throw new DataException(file, "header gives " + channels + " channels, expected 1 or 3");
            }
            if (rows == 0 || cols == 0) {
                throw new DataException(file, "header gives an image size of " + rows + "x" + cols);
            }
            long total = count * channels * rows * cols;
            if (total > Integer.MAX_VALUE - 8) {
                throw new DataException(file, "header announces " + count + " images of " + rows + "x" + cols
                        + "x" + channels + " (" + total + " bytes), more than one split can hold (2 GB)");
            }
            ImageShape shape = new ImageShape((int) channels, (int) rows, (int) cols);
            byte[] pixels = body(in, file, (int) total, count + " images of " + shape);
            return new Images(shape, (int) count, pixels);
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    /** Labels of one IDX label file, each 0..255. */
    public static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = header(in, file);
            if (magic != LABELS) {
                throw new DataException(file, String.format(
                        "wrong magic number 0x%08X, expected 0x%08X (IDX ubyte labels)", magic, LABELS));
            }
            long count = unsigned(in, file);
            if (count > Integer.MAX_VALUE - 8) {
                throw new DataException(file, "header announces " + count + " labels, more than one split can hold");
            }
            byte[] bytes = body(in, file, (int) count, count + " labels");
            int[] labels = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                labels[i] = bytes[i] & 0xff;
            }
            return labels;
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER) : raw;
        return new DataInputStream(in);
    }

    private static int header(DataInputStream in, Path file) throws IOException {
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got < 4) {
            throw new DataException(file, got == 0 ? "empty file, expected an IDX header"
                    : "truncated: file ends inside the IDX header");
        }
        return ((magic[0] & 0xff) << 24) | ((magic[1] & 0xff) << 16) | ((magic[2] & 0xff) << 8) | (magic[3] & 0xff);
    }

    private static long unsigned(DataInputStream in, Path file) throws IOException {
        byte[] b = new byte[4];
        if (in.readNBytes(b, 0, 4) < 4) {
            throw new DataException(file, "truncated: file ends inside the IDX header");
        }
        return ((long) (b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static byte[] body(DataInputStream in, Path file, int length, String what) throws IOException {
        byte[] data = new byte[length];
        int got = in.readNBytes(data, 0, length);
        if (got < length) {
            throw new DataException(file, "truncated: header announces " + what + " (" + length
                    + " bytes) but the file ends after " + got);
        }
        if (in.read() != -1) {
            throw new DataException(file, "extra bytes after the " + what + " the header announces");
        }
        return data;
    }

    private static DataException failure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DataException(file, "no such file", e);
        }
        if (e instanceof AccessDeniedException) {
            return new DataException(file, "permission denied", e);
        }
        if (e instanceof EOFException) {
            return new DataException(file, "truncated: the gzip stream ends early", e);
        }
        if (e instanceof ZipException) {
            return new DataException(file, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
        return new DataException(file, "cannot read: " + e.getMessage(), e);
    }
}
