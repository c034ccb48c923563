package io.dpdm.sample;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.AtomicFiles;
import io.dpdm.DpdmException;
import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageGrid;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Writes generated images as a synthetic data set folder: {@code png/} + {@code labels.csv},
 * {@code idx/} (gzipped IDX under the MNIST names, so standard MNIST loaders and dpdm's own
 * loader read it; {@code classes.txt} carries the class names), {@code grid.png} (one row per
 * class) and, last, {@code manifest.json}: a folder with a manifest is complete.
 *
 * <p>Only writers of the data package are used here; this class cannot read a data set.
 */
public final class SyntheticDataExporter {
    public static final String MANIFEST = "manifest.json";
    public static final String LABELS = "labels.csv";
    public static final String GRID = "grid.png";
    public static final String PNG_DIR = "png";
    public static final String IDX_DIR = "idx";
    /** Grid columns per class. */
    private static final int GRID_PER_CLASS = 10;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SyntheticDataExporter() {}

    /**
     * Creates {@code out} (or checks the existing folder is empty) and checks it is writable, so
     * that a bad folder fails before any sampling work. Refusing non-empty folders keeps files of
     * an earlier set from mixing into this one.
     */
    public static void prepare(Path out) {
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new DpdmException(out + ": --out exists and is not a folder");
            }
            Files.createDirectories(out);
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new DpdmException(out + ": --out folder is not empty (choose a new or empty folder)");
                }
            }
            Path probe = Files.createTempFile(out, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new DpdmException(out + ": cannot write to the output folder (" + e.getMessage() + ")");
        }
    }

    /**
     * Writes the image files, the grid and finally the manifest.
     *
     * @param images labels.length * shape.size() values in [-1, 1], channel-first per image
     * @param labels class index per image into {@code classNames}
     * @param classNames names of the label values (one pseudo-class for unconditional sets)
     * @return the files and folders written, relative to {@code out}, manifest last
     */
    public static List<String> write(Path out, Set<OutputFormat> formats, ImageShape shape, float[] images,
            int[] labels, List<String> classNames, ObjectNode manifest) {
        ImageSplit split = ImageSplit.fromSigned(shape, images, labels);
        List<String> written = new ArrayList<>();
        if (formats.contains(OutputFormat.PNG)) {
            writePngs(out.resolve(PNG_DIR), split, labels, classNames, out.resolve(LABELS));
            written.add(PNG_DIR + "/");
            written.add(LABELS);
        }
        if (formats.contains(OutputFormat.IDX)) {
            IdxWriter.writeDataset(out.resolve(IDX_DIR),
                    new ImageDataset("synthetic", shape, classNames, split, ImageSplit.empty(shape)));
            written.add(IDX_DIR + "/");
        }
        writeGrid(out.resolve(GRID), shape, images, labels, classNames);
        written.add(GRID);
        manifest.putPOJO("files", written);
        try {
            AtomicFiles.writeString(out.resolve(MANIFEST), JSON.writeValueAsString(manifest) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("manifest is not serialisable", e);
        }
        written.add(MANIFEST);
        return written;
    }

    /** The file name of image i: zero-padded to at least six digits so names sort in image order. */
    static String pngName(int i, int count) {
        int digits = Math.max(6, String.valueOf(count - 1).length());
        return String.format("%0" + digits + "d.png", i);
    }

    private static void writePngs(Path dir, ImageSplit split, int[] labels, List<String> classNames, Path csv) {
        ImageShape shape = split.shape();
        StringBuilder rows = new StringBuilder("file,label,class_name\n");
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < split.size(); i++) {
                String name = pngName(i, split.size());
                ImageIO.write(image(shape, split.rawImage(i)), "png", dir.resolve(name).toFile());
                rows.append(PNG_DIR).append('/').append(name).append(',').append(labels[i]).append(',')
                        .append(csvField(classNames.get(labels[i]))).append('\n');
            }
        } catch (IOException e) {
            throw new DpdmException(dir + ": cannot write PNG files (" + e.getMessage() + ")");
        }
        AtomicFiles.writeString(csv, rows.toString());
    }

    private static BufferedImage image(ImageShape shape, byte[] chw) {
        int h = shape.height();
        int w = shape.width();
        int plane = h * w;
        if (shape.channels() == 1) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, w, h, chw);
            return img;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        WritableRaster raster = img.getRaster();
        int[] pixel = new int[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                for (int c = 0; c < 3; c++) {
                    pixel[c] = chw[c * plane + p] & 0xff;
                }
                raster.setPixel(x, y, pixel);
            }
        }
        return img;
    }

    /** One row per class that has images, in class order. */
    private static void writeGrid(Path png, ImageShape shape, float[] images, int[] labels, List<String> classNames) {
        int[] row = new int[classNames.size()];
        java.util.Arrays.fill(row, -1);
        for (int label : labels) {
            row[label] = 0;
        }
        List<String> shown = new ArrayList<>();
        for (int k = 0; k < row.length; k++) {
            if (row[k] == 0) {
                row[k] = shown.size();
                shown.add(classNames.get(k));
            }
        }
        int[] gridLabels = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            gridLabels[i] = row[labels[i]];
        }
        ImageGrid.write(png, shape, images, gridLabels, shown, GRID_PER_CLASS, 2);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n")
                ? '"' + s.replace("\"", "\"\"") + '"'
                : s;
    }
}
