package io.dpdm.data;

import io.dpdm.cli.CliRun;
import static io.dpdm.data.TestData.assertRejected;
import static io.dpdm.data.TestData.grayPng;
import static io.dpdm.data.TestData.rgbPng;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of images: both layouts, colour handling, resizing, and every rejected defect. */
class FolderDatasetsTest {
    @TempDir
    Path dir;

    @Test
    void trainTestLayoutKeepsPixelsAndNamesClassesInOrder() throws Exception {
        grayPng(dir.resolve("train/cat/a.png"), 2, 2, 0, 10, 20, 30);
        grayPng(dir.resolve("train/cat/b.png"), 2, 2, 1, 2, 3, 4);
        grayPng(dir.resolve("train/ant/c.png"), 2, 2, 255, 0, 255, 0);
        grayPng(dir.resolve("test/cat/d.png"), 2, 2, 9, 9, 9, 9);
        Files.writeString(dir.resolve("train/cat/.DS_Store"), "hidden files are skipped");
        ImageDataset data = Datasets.open(dir, LoadOptions.defaults());
        assertEquals(List.of("ant", "cat"), data.classNames());
        assertEquals(new ImageShape(1, 2, 2), data.shape());
        assertEquals(3, data.train().size());
        assertArrayEquals(new int[] {0, 1, 1}, data.train().labels());
        assertArrayEquals(TestData.bytes(255, 0, 255, 0), data.train().rawImage(0));
        assertArrayEquals(TestData.bytes(0, 10, 20, 30), data.train().rawImage(1));
        assertEquals(1, data.test().size());
        assertEquals(1, data.test().label(0));
        assertArrayEquals(TestData.bytes(9, 9, 9, 9), data.test().rawImage(0));
    }

    @Test
    void singleFolderIsAllTrain() throws Exception {
        grayPng(dir.resolve("x/a.png"), 1, 1, 7);
        grayPng(dir.resolve("y/b.png"), 1, 1, 8);
        ImageDataset data = Datasets.open(dir, LoadOptions.defaults());
        assertEquals(2, data.train().size());
        assertEquals(0, data.test().size());
        assertEquals(List.of("x", "y"), data.classNames());
    }

    @Test
    void colourImagesLoadAsRgbPlanesAndASetMayNotMixGrayAndColour() throws Exception {
        rgbPng(dir.resolve("red/a.png"), 1, 2, 0xC81E0A);
        ImageDataset data = Datasets.open(dir, LoadOptions.defaults());
        assertEquals(new ImageShape(3, 1, 2), data.shape());
        assertArrayEquals(TestData.bytes(200, 200, 30, 30, 10, 10), data.train().rawImage(0));
        // One gray record must not change the schema (the channels are public): refused instead.
        Path gray = grayPng(dir.resolve("zgray/b.png"), 1, 2, 50, 60);
        assertRejected(dir, gray, "grayscale image in a set whose first image " + dir.resolve("red/a.png")
                + " is colour; convert the images to one kind");
    }

    @Test
    void sixteenBitGrayIsRescaledTo8Bit() throws Exception {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setPixels(0, 0, 2, 1, new int[] {65535, 257 * 100});
        TestData.png(dir.resolve("a/x.png"), image);
        assertArrayEquals(TestData.bytes(255, 100), Datasets.open(dir, LoadOptions.defaults()).train().rawImage(0));
    }

    @Test
    void jpegLoads() throws Exception {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Path file = dir.resolve("a/x.jpg");
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "jpeg", file.toFile());
        assertEquals(new ImageShape(3, 8, 8), Datasets.open(dir, LoadOptions.defaults()).shape());
    }

    @Test
    void mixedSizesRejectedByDefault() throws Exception {
        grayPng(dir.resolve("a/1.png"), 2, 2, 0, 0, 0, 0);
        Path odd = grayPng(dir.resolve("a/2.png"), 3, 2, 0, 0, 0, 0, 0, 0);
        assertRejected(dir, odd, "image is 3x2 but " + dir.resolve("a/1.png") + " is 2x2; images of one data set"
                + " must share a size (or pass --resize HxW)");
    }

    @Test
    void mixedSizesResizedOnRequest() throws Exception {
        grayPng(dir.resolve("a/1.png"), 2, 2, 40, 40, 40, 40);
        grayPng(dir.resolve("a/2.png"), 3, 5, new int[15]);
        ImageDataset data = Datasets.open(dir, LoadOptions.resizeTo(new ImageSize(4, 4)));
        assertEquals(new ImageShape(1, 4, 4), data.shape());
        byte[] constant = new byte[16];
        java.util.Arrays.fill(constant, (byte) 40);
        assertArrayEquals(constant, data.train().rawImage(0));
        assertArrayEquals(new byte[16], data.train().rawImage(1));
        CliRun run = CliRun.of("data", "info", dir.toString(), "--resize", "4x4", "--json");
        assertEquals(0, run.code(), run.err());
    }

    @Test
    void emptyFolder() throws Exception {
        assertRejected(dir, dir, "empty folder: no class sub-folders");
    }

    @Test
    void emptyClassFolder() throws Exception {
        grayPng(dir.resolve("a/1.png"), 1, 1, 0);
        Files.createDirectories(dir.resolve("b"));
        assertRejected(dir, dir.resolve("b"), "empty class folder: no images");
    }

    @Test
    void nonImageFile() throws Exception {
        grayPng(dir.resolve("a/1.png"), 1, 1, 0);
        Path text = TestData.write(dir.resolve("a/notes.txt"), "not a picture".getBytes());
        assertRejected(dir, text, "not an image file (expected PNG or JPEG)");
    }

    @Test
    void unreadableImage() throws Exception {
        grayPng(dir.resolve("a/1.png"), 1, 1, 0);
        byte[] png = Files.readAllBytes(grayPng(dir.resolve("a/2.png"), 4, 4, new int[16]));
        Path broken = TestData.write(dir.resolve("a/2.png"), java.util.Arrays.copyOf(png, 40));
        assertRejected(dir, broken, "unreadable image");
    }

    @Test
    void nestedFolderInsideClassFolder() throws Exception {
        grayPng(dir.resolve("a/1.png"), 1, 1, 0);
        Files.createDirectories(dir.resolve("a/deeper"));
        assertRejected(dir, dir.resolve("a/deeper"), "unexpected folder inside a class folder");
    }

    @Test
    void testClassMissingFromTrain() throws Exception {
        grayPng(dir.resolve("train/a/1.png"), 1, 1, 0);
        grayPng(dir.resolve("test/b/1.png"), 1, 1, 0);
        assertRejected(dir, dir.resolve("test/b"), "class folder not present in the train split (train classes: a)");
    }

    @Test
    void strayFolderNextToTrain() throws Exception {
        grayPng(dir.resolve("train/a/1.png"), 1, 1, 0);
        Files.createDirectories(dir.resolve("validation"));
        assertRejected(dir, dir.resolve("validation"), "unexpected folder next to train/");
    }
}
