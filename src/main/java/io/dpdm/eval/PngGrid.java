package io.dpdm.eval;

import io.dpdm.data.Pixels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Renders images (channel-major C x H x W float values in [-1, 1], C = 1 or 3) into one PNG
 * grid, each pixel enlarged to scale x scale, with a 2-pixel mid-grey gap between cells and a
 * wider one between groups of {@code group} adjacent columns (pairs of images, for instance).
 * Private to the report: the data package's {@link io.dpdm.data.ImageGrid} is the general-purpose,
 * class-labelled grid; this one lays out unlabelled cells in groups (synthetic/training pairs).
 * Both share {@link io.dpdm.data.Pixels} for the value mapping.
 */
final class PngGrid {
    private static final int GAP = 2;
    private static final int GROUP_GAP = 8;
    private static final int GAP_RGB = 0x808080;

    private PngGrid() {}

    static byte[] render(List<float[]> images, int channels, int height, int width, int columns, int scale) {
        return render(images, channels, height, width, columns, scale, columns);
    }

    static byte[] render(List<float[]> images, int channels, int height, int width, int columns, int scale,
                         int group) {
        if (images.isEmpty() || (channels != 1 && channels != 3) || height < 1 || width < 1 || columns < 1
                || scale < 1 || group < 1) {
            throw new IllegalArgumentException("image grid: expected images, 1 or 3 channels, positive sizes; got "
                    + images.size() + " images of " + channels + "x" + height + "x" + width);
        }
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        int cellW = width * scale + GAP;
        int cellH = height * scale + GAP;
        int groupGaps = (cols - 1) / group;
        BufferedImage out = new BufferedImage(cols * cellW + GAP + groupGaps * GROUP_GAP, rows * cellH + GAP,
                BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, GAP_RGB);
            }
        }
        int plane = height * width;
        for (int n = 0; n < images.size(); n++) {
            float[] img = images.get(n);
            if (img.length != channels * plane) {
                throw new IllegalArgumentException("image " + n + ": expected " + channels * plane
                        + " values (" + channels + "x" + height + "x" + width + "), got " + img.length);
            }
            int x0 = GAP + (n % cols) * cellW + (n % cols) / group * GROUP_GAP;
            int y0 = GAP + (n / cols) * cellH;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int p = y * width + x;
                    int r = Pixels.toUint8(img[p]);
                    int rgb = channels == 1
                            ? r << 16 | r << 8 | r
                            : r << 16 | Pixels.toUint8(img[plane + p]) << 8 | Pixels.toUint8(img[2 * plane + p]);
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            out.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                        }
                    }
                }
            }
        }
        return png(out);
    }

    static byte[] png(BufferedImage image) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
