package io.dpdm.data;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Writes a labelled PNG grid of images: one row per class (in class order), the class name at the
 * left, then up to {@code perClass} images of that class in the order given, each enlarged by an
 * integer {@code scale} (nearest neighbour, so pixels stay visible). Used to preview data sets
 * and generated samples.
 *
 * <p>Layout (for callers that locate cells): cells are {@code width*scale} x {@code height*scale},
 * separated and framed by {@link #GAP} pixels; the cell of class row r, column c has its top-left
 * corner at x = imageWidth - (perClass - c) * (cell width + GAP), y = GAP + r * (cell height + GAP),
 * where imageWidth is the PNG's width.
 */
public final class ImageGrid {
    public static final int GAP = 2;
    private static final Color BACKGROUND = new Color(0x30, 0x30, 0x30);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ImageGrid() {}

    /** Pixel value 0..255 of channel-first position {@code offset} of image {@code image}. */
    private interface Source {
        int uint8(int image, int offset);
    }

    /**
     * Writes images in [-1, 1] (model inputs or outputs; values outside are clamped).
     *
     * @param images labels.length * shape.size() values, channel-first per image
     * @param labels class index of each image
     */
    public static void write(Path png, ImageShape shape, float[] images, int[] labels, List<String> classNames,
                             int perClass, int scale) {
        if ((long) labels.length * shape.size() != images.length) {
            throw new IllegalArgumentException(images.length + " values do not make " + labels.length
                    + " images of " + shape);
        }
        write(png, shape, (i, o) -> Pixels.toUint8(images[i * shape.size() + o]), labels, classNames, perClass, scale);
    }

    /** Writes the first {@code perClass} images of each class of a split. */
    public static void write(Path png, ImageSplit split, List<String> classNames, int perClass, int scale) {
        write(png, split.shape(), split::pixel, split.labels(), classNames, perClass, scale);
    }

    private static void write(Path png, ImageShape shape, Source source, int[] labels, List<String> classNames,
                              int perClass, int scale) {
        Objects.requireNonNull(png, "png");
        if (perClass < 1 || scale < 1) {
            throw new IllegalArgumentException("perClass and scale must be at least 1, got " + perClass + ", " + scale);
        }
        int cellW = shape.width() * scale;
        int cellH = shape.height() * scale;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(11, Math.min(16, cellH / 3)));
        FontMetrics metrics = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(font);
        int labelW = 0;
        for (String name : classNames) {
            labelW = Math.max(labelW, metrics.stringWidth(name));
        }
        labelW += 4 * GAP;
        int width = labelW + perClass * (cellW + GAP) + GAP;
        int height = classNames.size() * (cellH + GAP) + GAP;
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.setFont(font);
        g.setColor(Color.WHITE);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int[] filled = new int[classNames.size()];
        for (int row = 0; row < classNames.size(); row++) {
            int y = GAP + row * (cellH + GAP);
            g.drawString(classNames.get(row), 2 * GAP, y + (cellH + metrics.getAscent() - metrics.getDescent()) / 2);
        }
        g.dispose();
        for (int i = 0; i < labels.length; i++) {
            int row = labels[i];
            if (row < 0 || row >= classNames.size()) {
                throw new IllegalArgumentException("label " + row + " of image " + i + " is out of range for "
                        + classNames.size() + " classes");
            }
            if (filled[row] == perClass) {
                continue;
            }
            int x0 = width - (perClass - filled[row]) * (cellW + GAP);
            int y0 = GAP + row * (cellH + GAP);
            paint(grid, x0, y0, shape, source, i, scale);
            filled[row]++;
        }
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(grid, "png", png.toFile())) {
                throw new DataException(png, "no PNG writer available");
            }
        } catch (IOException e) {
            throw new DataException(png, "cannot write: " + e.getMessage(), e);
        }
    }

    private static void paint(BufferedImage grid, int x0, int y0, ImageShape shape, Source source, int image, int scale) {
        int plane = shape.height() * shape.width();
        boolean gray = shape.channels() == 1;
        for (int y = 0; y < shape.height(); y++) {
            for (int x = 0; x < shape.width(); x++) {
                int p = y * shape.width() + x;
                int r = source.uint8(image, p);
                int rgb = gray ? r * 0x010101
                        : (r << 16) | (source.uint8(image, plane + p) << 8) | source.uint8(image, 2 * plane + p);
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        grid.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                    }
                }
            }
        }
    }
}
