package io.dpdm.data;

/**
 * MNIST's normalisation of a digit (LeCun et al.): the ink's bounding box is scaled to fit a
 * 20x20 box with its aspect ratio kept, by area averaging (which anti-aliases), and placed in a
 * 28x28 image with its centre of mass at the image's centre, rounded to whole pixels.
 */
final class MnistFraming {
    static final int SIDE = 28;
    static final int BOX = 20;

    private MnistFraming() {}

    /**
     * @param pixels a square gray image, row-major, values in [0, 255]
     * @param side its side
     * @param inkThreshold the value above which a pixel counts for the bounding box
     * @return the framed 28x28 image as uint8, or {@code null} when no pixel is above the threshold
     */
    static byte[] frame(float[] pixels, int side, float inkThreshold) {
        int x0 = side;
        int y0 = side;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                if (pixels[y * side + x] > inkThreshold) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            return null;
        }
        double scale = (double) BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
        int w = Math.max(1, (int) Math.round((x1 - x0 + 1) * scale));
        int h = Math.max(1, (int) Math.round((y1 - y0 + 1) * scale));
        float[] small = new float[w * h];
        double mass = 0;
        double mx = 0;
        double my = 0;
        for (int ty = 0; ty < h; ty++) {
            for (int tx = 0; tx < w; tx++) {
                float v = areaAverage(pixels, side, x0 + tx / scale, x0 + (tx + 1) / scale, y0 + ty / scale,
                        y0 + (ty + 1) / scale);
                small[ty * w + tx] = v;
                mass += v;
                mx += v * tx;
                my += v * ty;
            }
        }
        // pixel i covers [i, i + 1): the image's centre is at 13.5 in index terms
        int ox = (int) Math.round((SIDE - 1) / 2.0 - mx / mass);
        int oy = (int) Math.round((SIDE - 1) / 2.0 - my / mass);
        byte[] framed = new byte[SIDE * SIDE];
        for (int ty = 0; ty < h; ty++) {
            for (int tx = 0; tx < w; tx++) {
                int x = tx + ox;
                int y = ty + oy;
                if (x >= 0 && y >= 0 && x < SIDE && y < SIDE) {
                    framed[y * SIDE + x] = (byte) Math.min(255, Math.round(small[ty * w + tx]));
                }
            }
        }
        return framed;
    }

    /** The mean of the image over the rectangle [sx0, sx1) x [sy0, sy1), pixels weighted by overlap. */
    private static float areaAverage(float[] pixels, int side, double sx0, double sx1, double sy0, double sy1) {
        double sum = 0;
        double area = 0;
        for (int y = (int) Math.floor(sy0); y < Math.ceil(sy1); y++) {
            double wy = Math.min(y + 1, sy1) - Math.max(y, sy0);
            for (int x = (int) Math.floor(sx0); x < Math.ceil(sx1); x++) {
                double wx = Math.min(x + 1, sx1) - Math.max(x, sx0);
                if (wx > 0 && wy > 0 && x < side && y < side) {
                    sum += wx * wy * pixels[y * side + x];
                    area += wx * wy;
                }
            }
        }
        return (float) (sum / area);
    }
}
