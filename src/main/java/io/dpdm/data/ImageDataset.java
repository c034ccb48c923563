package io.dpdm.data;

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
}
