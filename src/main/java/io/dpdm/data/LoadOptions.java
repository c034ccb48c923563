package io.dpdm.data;

import java.util.Optional;

/**
 * How to load a data set.
 *
 * @param resizeTo when present, folder images of any other size are resized to it (bilinear);
 *     when empty (the default), a folder whose images differ in size is rejected
 */
public record LoadOptions(Optional<ImageSize> resizeTo) {
    public LoadOptions {
        java.util.Objects.requireNonNull(resizeTo, "resizeTo");
    }

    /** Reject images of differing sizes. */
    public static LoadOptions defaults() {
        return new LoadOptions(Optional.empty());
    }

    public static LoadOptions resizeTo(ImageSize size) {
        return new LoadOptions(Optional.of(size));
    }
}
