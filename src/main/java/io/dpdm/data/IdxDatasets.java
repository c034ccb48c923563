package io.dpdm.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Data sets stored as IDX files: a folder with the four MNIST-style files
 * ({@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, and
 * {@code t10k-} or {@code test-} for the test split, which may be absent), or one images file
 * whose labels file has the same name with {@code labels-idx1} for {@code images-idx3} (all
 * train, empty test). Class names come from a {@code classes.txt} next to the files (one name a
 * line), which is required: the class list is treated as public, so it is declared, never derived
 * from the (private) labels, where one record's label could change it.
 */
final class IdxDatasets {
    static final String CLASSES_FILE = "classes.txt";
    private static final String[] TEST_PREFIXES = {"t10k", "test"};

    private IdxDatasets() {}

    /** True when {@code dir} holds a train images IDX file under a standard name. */
    static boolean isIdxFolder(Path dir) {
        return find(dir, "train", "images").isPresent();
    }

    static ImageDataset fromFolder(Path dir) {
        Path trainImages = find(dir, "train", "images").orElseThrow(() ->
                new DataException(dir, "no train-images-idx3-ubyte[.gz] file"));
        Path trainLabels = find(dir, "train", "labels").orElseThrow(() ->
                new DataException(dir, "no train-labels-idx1-ubyte[.gz] file next to " + trainImages.getFileName()));
        Path testImages = null;
        Path testLabels = null;
        for (String prefix : TEST_PREFIXES) {
            Optional<Path> images = find(dir, prefix, "images");
            if (images.isPresent()) {
                testImages = images.get();
                testLabels = find(dir, prefix, "labels").orElseThrow(() -> new DataException(dir,
                        "no " + prefix + "-labels-idx1-ubyte[.gz] file next to " + images.get().getFileName()));
                break;
            }
        }
        return load(dir.toAbsolutePath().normalize().getFileName().toString(), trainImages, trainLabels,
                testImages, testLabels, classNames(dir.resolve(CLASSES_FILE)), dir.resolve(CLASSES_FILE));
    }

    static ImageDataset fromImagesFile(Path images) {
        String name = images.getFileName().toString();
        String labelsName = name.replaceFirst("images-idx[34]", "labels-idx1");
        if (labelsName.equals(name)) {
            throw new DataException(images, "cannot tell which file holds the labels: an images file must be"
                    + " named like NAME-images-idx3-ubyte[.gz], with NAME-labels-idx1-ubyte[.gz] next to it");
        }
        Path labels = images.resolveSibling(labelsName);
        if (!Files.isRegularFile(labels)) {
            throw new DataException(images, "labels file " + labels + " not found");
        }
        Path classes = images.resolveSibling(CLASSES_FILE);
        return load(name.replaceFirst("-?images-idx[34]-ubyte(\\.gz)?$", ""), images, labels, null, null,
                classNames(classes), classes);
    }

    /**
     * Loads the splits and checks them against each other and against the class names.
     *
     * @param testImages null for a data set without a test split
     * @param classNames the declared class names, or null when none were found (an error)
     * @param classSource where the class names come from, named when they are missing or a label is
     *     out of range
     */
    static ImageDataset load(String name, Path trainImages, Path trainLabels, Path testImages, Path testLabels,
                             List<String> classNames, Path classSource) {
        ImageSplit train = split(trainImages, trainLabels);
        ImageSplit test = testImages == null ? ImageSplit.empty(train.shape()) : split(testImages, testLabels);
        if (!test.shape().equals(train.shape())) {
            throw new DataException(testImages, "images are " + test.shape() + " but the train images ("
                    + trainImages.getFileName() + ") are " + train.shape());
        }
        if (classNames == null) {
            throw new DataException(classSource, "not found: declare the classes in this file, one name a line in"
                    + " label order (the class list is public; it is never derived from the labels)");
        }
        checkRange(train, trainLabels, classNames.size(), classSource);
        checkRange(test, testLabels, classNames.size(), classSource);
        return new ImageDataset(name, train.shape(), classNames, train, test);
    }

    private static ImageSplit split(Path imagesFile, Path labelsFile) {
        IdxReader.Images images = IdxReader.readImages(imagesFile);
        int[] labels = IdxReader.readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw new DataException(labelsFile, "has " + labels.length + " labels but "
                    + imagesFile.getFileName() + " has " + images.count() + " images");
        }
        return new ImageSplit(images.shape(), images.pixels(), labels);
    }

    private static void checkRange(ImageSplit split, Path labelsFile, int numClasses, Path classSource) {
        for (int i = 0; i < split.size(); i++) {
            if (split.label(i) >= numClasses) {
                throw new DataException(labelsFile, "label " + split.label(i) + " of item " + i
                        + " is out of range: " + classSource + " lists " + numClasses + " classes (0.."
                        + (numClasses - 1) + ")");
            }
        }
    }

    /** Class names from a classes.txt (blank lines ignored), or null when there is none. */
    private static List<String> classNames(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            List<String> names = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
            if (names.isEmpty()) {
                throw new DataException(file, "lists no class names (expected one name a line)");
            }
            return names;
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The one file {prefix}-{kind}-idx{1,3,4}-ubyte[.gz] in dir; two candidates are ambiguous. */
    private static Optional<Path> find(Path dir, String prefix, String kind) {
        List<Path> found = new ArrayList<>();
        for (String dims : kind.equals("labels") ? new String[] {"idx1"} : new String[] {"idx3", "idx4"}) {
            for (String suffix : new String[] {"", ".gz"}) {
                Path p = dir.resolve(prefix + "-" + kind + "-" + dims + "-ubyte" + suffix);
                if (Files.isRegularFile(p)) {
                    found.add(p);
                }
            }
        }
        if (found.size() > 1) {
            throw new DataException(dir, "ambiguous: both " + found.get(0).getFileName() + " and "
                    + found.get(1).getFileName() + " exist; keep one");
        }
        return found.stream().findFirst();
    }
}
