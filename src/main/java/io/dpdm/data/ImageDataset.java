package io.dpdm.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A labelled image data set: a name, the shape all images share, the class names (label i is
 * classNames[i]) and a train and a test split (the test split may be empty).
 */
public record ImageDataset(String name, ImageShape shape, List<String> classNames,
                           ImageSplit train, ImageSplit test) {
    public ImageDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("a data set needs at least one class");
        }
        for (ImageSplit split : List.of(train, test)) {
            if (!split.shape().equals(shape)) {
                throw new IllegalArgumentException("split of " + split.shape() + " in a data set of " + shape);
            }
            for (int i = 0; i < split.size(); i++) {
                if (split.label(i) >= classNames.size()) {
                    throw new IllegalArgumentException("label " + split.label(i) + " out of range for "
                            + classNames.size() + " classes");
                }
            }
        }
    }

    public int numClasses() {
        return classNames.size();
    }

    /**
     * The first 16 hex digits of a SHA-256 over the shape, class names, pixels and labels of both
     * splits: tells whether two data sets are the same. Operator-only: a hash of a private data set
     * lets anyone who knows all records but one test guesses of the last, so it must never be
     * released (model cards and manifests do not hold it).
     */
    public String fingerprint() {
        MessageDigest sha = ImageSplit.sha256();
        sha.update((shape + "|" + String.join("\u0000", classNames)).getBytes(StandardCharsets.UTF_8));
        train.digest(sha);
        test.digest(sha);
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }
}
