package io.dpdm.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes image sets as gzipped IDX files that {@link IdxReader} and {@link Datasets#open} read
 * back unchanged: grayscale images as standard IDX (magic 0x803, count, rows, cols), colour
 * images with dpdm's channel-first extension (magic 0x804, count, channels, rows, cols).
 */
public final class IdxWriter {
    private static final int BUFFER = 1 << 16;

    private IdxWriter() {}

    /**
     * Writes a whole data set into {@code folder} under the standard names
     * ({@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}, {@code t10k-...};
     * {@code idx4} for colour), plus {@code classes.txt} (one class name a line). The test files
     * are written only when the test split is not empty.
     */
    public static void writeDataset(Path folder, ImageDataset data) {
        try {
            Files.createDirectories(folder);
            Files.write(folder.resolve(IdxDatasets.CLASSES_FILE),
                    data.classNames(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(folder, "cannot write: " + e.getMessage(), e);
        }
        String dims = data.shape().channels() == 1 ? "idx3" : "idx4";
        write(folder.resolve("train-images-" + dims + "-ubyte.gz"),
                folder.resolve("train-labels-idx1-ubyte.gz"), data.train());
        if (data.test().size() > 0) {
            write(folder.resolve("t10k-images-" + dims + "-ubyte.gz"),
                    folder.resolve("t10k-labels-idx1-ubyte.gz"), data.test());
        }
    }

    /** Writes one split as a gzipped IDX images file and a gzipped IDX labels file. */
    public static void write(Path imagesFile, Path labelsFile, ImageSplit split) {
        ImageShape shape = split.shape();
        try (DataOutputStream out = gzip(imagesFile)) {
            out.writeInt(shape.channels() == 1 ? IdxReader.IMAGES : IdxReader.IMAGES_CHW);
            out.writeInt(split.size());
            if (shape.channels() != 1) {
                out.writeInt(shape.channels());
            }
            out.writeInt(shape.height());
            out.writeInt(shape.width());
            for (int i = 0; i < split.size(); i++) {
                out.write(split.rawImage(i));
            }
        } catch (IOException e) {
            throw new DataException(imagesFile, "cannot write: " + e.getMessage(), e);
        }
        try (DataOutputStream out = gzip(labelsFile)) {
            out.writeInt(IdxReader.LABELS);
            out.writeInt(split.size());
            for (int i = 0; i < split.size(); i++) {
                if (split.label(i) > 255) {
                    throw new DataException(labelsFile, "label " + split.label(i) + " does not fit IDX ubyte labels (0..255)");
                }
                out.write(split.label(i));
            }
        } catch (IOException e) {
            throw new DataException(labelsFile, "cannot write: " + e.getMessage(), e);
        }
    }

    private static DataOutputStream gzip(Path file) throws IOException {
        OutputStream raw = Files.newOutputStream(file);
        return new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(raw, BUFFER), BUFFER));
    }
}
