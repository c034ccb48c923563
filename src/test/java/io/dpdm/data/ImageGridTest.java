package io.dpdm.data;

import io.dpdm.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grid has one row per class and puts each image, enlarged, where the documented layout says. */
class ImageGridTest {
    @TempDir
    Path dir;

    @Test
    void rowsPerClassAndPixelsInPlace() throws Exception {
        ImageShape shape = new ImageShape(1, 2, 3);
        int n = 4;
        float[] images = new float[n * shape.size()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < shape.size(); j++) {
                images[i * shape.size() + j] = -1f + 2f * (i * 6 + j) / 23f;
            }
        }
        int[] labels = {1, 0, 1, 1}; // class 1 has three images, but only two fit per row
        Path png = dir.resolve("sub/grid.png");
        int scale = 3;
        int perClass = 2;
        ImageGrid.write(png, shape, images, labels, List.of("zero", "one", "two"), perClass, scale);
        BufferedImage grid = ImageIO.read(png.toFile());
        int cellW = 3 * scale;
        int cellH = 2 * scale;
        assertEquals(3 * (cellH + ImageGrid.GAP) + ImageGrid.GAP, grid.getHeight());
        // class 1 row, column 1 holds image 2 (the second image labelled 1)
        int x0 = grid.getWidth() - (perClass - 1) * (cellW + ImageGrid.GAP);
        int y0 = ImageGrid.GAP + 1 * (cellH + ImageGrid.GAP);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int expected = Pixels.toUint8(images[2 * shape.size() + y * 3 + x]);
                int rgb = grid.getRGB(x0 + x * scale + scale - 1, y0 + y * scale + scale - 1) & 0xffffff;
                assertEquals(expected * 0x010101, rgb, "pixel " + y + "," + x);
            }
        }
        // class 0 row, column 0 holds image 1
        int x00 = grid.getWidth() - perClass * (cellW + ImageGrid.GAP);
        int expected = Pixels.toUint8(images[shape.size()]);
        assertEquals(expected * 0x010101, grid.getRGB(x00, ImageGrid.GAP) & 0xffffff);
    }

    @Test
    void colourSplitPreview() throws Exception {
        ImageShape shape = new ImageShape(3, 1, 1);
        ImageSplit split = new ImageSplit(shape, TestData.bytes(200, 30, 10), new int[] {0});
        Path png = dir.resolve("c.png");
        ImageGrid.write(png, split, List.of("red"), 1, 1);
        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(0xC81E0A, grid.getRGB(grid.getWidth() - 1 - ImageGrid.GAP, ImageGrid.GAP) & 0xffffff);
    }

    @Test
    void previewCommandWritesPng() throws Exception {
        Path png = dir.resolve("preview.png");
        CliRun run = CliRun.of("data", "preview", "mnist", "--out", png.toString(), "--per-class", "3");
        assertEquals(0, run.code(), run.err());
        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(10 * (56 + ImageGrid.GAP) + ImageGrid.GAP, grid.getHeight());
    }
}
