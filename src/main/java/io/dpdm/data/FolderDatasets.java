package io.dpdm.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Data sets stored as image files (PNG, JPEG, anything ImageIO reads), one sub-folder per class.
 * Two layouts:
 * <ul>
 *   <li>{@code root/train/<class>/*} and optionally {@code root/test/<class>/*} — the test classes
 *       must be among the train classes;</li>
 *   <li>{@code root/<class>/*} — every image is a train image and the test split is empty.</li>
 * </ul>
 * Classes are the sub-folder names in name order (label i = i-th name). Files and folders whose
 * names start with "." are skipped; other loose files next to the class folders are ignored.
 * Grayscale images give one channel, colour images three; a set must not mix them. Alpha is
 * dropped. All images must have one size unless {@link LoadOptions#resizeTo()} is set, in which
 * case each image of another size is resampled to it ({@link Resampler}). The shape is thus a
 * property every image shares (or the declared size), never one image's: no single record
 * decides it, and it is treated as public like the class list (the folder names).
 */
final class FolderDatasets {
    private FolderDatasets() {}

    /** One decoded image: 1 or 3 channel-first uint8 planes. */
    private record Decoded(Path file, int channels, int height, int width, byte[] pixels) {}

    static ImageDataset load(Path root, LoadOptions options) {
        List<Path> top = subfolders(root);
        boolean splitLayout = top.stream().anyMatch(p -> p.getFileName().toString().equals("train"));
        Path trainRoot = root;
        Path testRoot = null;
        if (splitLayout) {
            for (Path p : top) {
                if (!Set.of("train", "test").contains(p.getFileName().toString())) {
                    throw new DataException(p, "unexpected folder next to train/ (expected only train/ and test/)");
                }
            }
            trainRoot = root.resolve("train");
            testRoot = Files.isDirectory(root.resolve("test")) ? root.resolve("test") : null;
        }
        List<Path> classDirs = subfolders(trainRoot);
        if (classDirs.isEmpty()) {
            throw new DataException(trainRoot, "empty folder: no class sub-folders (expected one sub-folder of"
                    + " images per class, or train/ and test/ folders holding them)");
        }
        List<String> classes = classDirs.stream().map(p -> p.getFileName().toString()).toList();
        List<List<Decoded>> train = readClasses(classDirs, options);
        List<List<Decoded>> test = new ArrayList<>();
        if (testRoot != null) {
            Map<String, List<Decoded>> byClass = new HashMap<>();
            List<Path> testDirs = subfolders(testRoot);
            List<List<Decoded>> read = readClasses(testDirs, options);
            for (int i = 0; i < testDirs.size(); i++) {
                String name = testDirs.get(i).getFileName().toString();
                if (!classes.contains(name)) {
                    throw new DataException(testDirs.get(i), "class folder not present in the train split"
                            + " (train classes: " + String.join(", ", classes) + ")");
                }
                byClass.put(name, read.get(i));
            }
            for (String c : classes) {
                test.add(byClass.getOrDefault(c, List.of()));
            }
        }
        ImageShape shape = commonShape(train, test);
        return new ImageDataset(root.toAbsolutePath().normalize().getFileName().toString(), shape, classes,
                assemble(train, shape), assemble(test, shape));
    }

    private static List<List<Decoded>> readClasses(List<Path> classDirs, LoadOptions options) {
        List<List<Decoded>> out = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Decoded> images = new ArrayList<>();
            for (Path file : entries(dir)) {
                if (Files.isDirectory(file)) {
                    throw new DataException(file, "unexpected folder inside a class folder (expected image files only)");
                }
                images.add(decode(file, options.resizeTo()));
            }
            if (images.isEmpty()) {
                throw new DataException(dir, "empty class folder: no images");
            }
            out.add(images);
        }
        return out;
    }

    private static Decoded decode(Path file, Optional<ImageSize> resizeTo) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) { // ImageIO plugins throw unchecked errors on some damaged files
            throw new DataException(file, "unreadable image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new DataException(file, "not an image file (expected PNG or JPEG)");
        }
        int h = image.getHeight();
        int w = image.getWidth();
        Decoded d = image.getColorModel().getNumColorComponents() == 1
                ? new Decoded(file, 1, h, w, gray(image))
                : new Decoded(file, 3, h, w, rgb(image));
        if (resizeTo.isPresent() && (resizeTo.get().height() != h || resizeTo.get().width() != w)) {
            ImageSize to = resizeTo.get();
            return new Decoded(file, d.channels(), to.height(), to.width(),
                    Resampler.resize(d.pixels(), d.channels(), h, w, to.height(), to.width()));
        }
        return d;
    }

    /** Gray samples of any bit depth, rescaled to 0..255 (16-bit PNGs store 0..65535). */
    private static byte[] gray(BufferedImage image) {
        Raster raster = image.getRaster();
        int h = image.getHeight();
        int w = image.getWidth();
        int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        int bits = image.getColorModel().getComponentSize(0);
        double max = (1L << bits) - 1;
        byte[] out = new byte[h * w];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (bits == 8 ? samples[i] : (int) Math.round(samples[i] * 255.0 / max));
        }
        return out;
    }

    /** sRGB planes R, G, B (ImageIO converts palettes and other colour models to sRGB). */
    private static byte[] rgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int plane = h * w;
        byte[] out = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            out[i] = (byte) (argb[i] >> 16);
            out[plane + i] = (byte) (argb[i] >> 8);
            out[2 * plane + i] = (byte) argb[i];
        }
        return out;
    }

    private static ImageShape commonShape(List<List<Decoded>> train, List<List<Decoded>> test) {
        Decoded first = train.get(0).get(0);
        for (List<List<Decoded>> split : List.of(train, test)) {
            for (List<Decoded> images : split) {
                for (Decoded d : images) {
                    if (d.height() != first.height() || d.width() != first.width()) {
                        throw new DataException(d.file(), "image is " + d.height() + "x" + d.width() + " but "
                                + first.file() + " is " + first.height() + "x" + first.width()
                                + "; images of one data set must share a size (or pass --resize HxW)");
                    }
                    if (d.channels() != first.channels()) {
                        throw new DataException(d.file(), (d.channels() == 1 ? "grayscale" : "colour") + " image in a"
                                + " set whose first image " + first.file() + " is " + (first.channels() == 1
                                        ? "grayscale" : "colour") + "; convert the images to one kind");
                    }
                }
            }
        }
        return new ImageShape(first.channels(), first.height(), first.width());
    }

    private static ImageSplit assemble(List<List<Decoded>> classes, ImageShape shape) {
        int n = classes.stream().mapToInt(List::size).sum();
        byte[] pixels = new byte[Math.multiplyExact(n, shape.size())];
        int[] labels = new int[n];
        int i = 0;
        for (int label = 0; label < classes.size(); label++) {
            for (Decoded d : classes.get(label)) {
                System.arraycopy(d.pixels(), 0, pixels, i * shape.size(), shape.size());
                labels[i++] = label;
            }
        }
        return new ImageSplit(shape, pixels, labels);
    }

    private static List<Path> subfolders(Path dir) {
        return entries(dir).stream().filter(Files::isDirectory).toList();
    }

    /** Non-hidden entries of a folder in name order (a fixed order makes labels reproducible). */
    private static List<Path> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir, "cannot list folder: " + e.getMessage(), e);
        }
    }
}
