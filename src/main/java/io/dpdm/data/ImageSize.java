package io.dpdm.data;

/** A target image size (height x width) for resizing, parsed from "HxW" on the command line. */
public record ImageSize(int height, int width) {
    public ImageSize {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
    }

    /** Parses "32x32" (height x width). */
    public static ImageSize parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                return new ImageSize(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (NumberFormatException e) {
            // falls through to the one error message below
        }
        throw new IllegalArgumentException("image size must look like HxW (e.g. 32x32), got '" + text + "'");
    }

    @Override
    public String toString() {
        return height + "x" + width;
    }
}
