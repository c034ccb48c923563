package io.dpdm.data;

/**
 * Resizes channel-first uint8 images with a separable triangle (bilinear) filter whose support
 * widens by the reduction factor when shrinking, so downscaling averages all covered pixels
 * instead of aliasing (the "antialiased bilinear" of PIL and torchvision). Same-size resizing is
 * the identity.
 */
final class Resampler {
    private Resampler() {}

    /** Taps of one output coordinate: input indices first..first+weights.length-1 and their weights (sum 1). */
    private record Taps(int first, double[] weights) {}

    static byte[] resize(byte[] src, int channels, int h, int w, int newH, int newW) {
        Taps[] xs = taps(w, newW);
        Taps[] ys = taps(h, newH);
        byte[] out = new byte[channels * newH * newW];
        double[] rows = new double[h * newW];
        for (int c = 0; c < channels; c++) {
            int in = c * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < newW; x++) {
                    Taps t = xs[x];
                    double sum = 0;
                    for (int k = 0; k < t.weights().length; k++) {
                        sum += t.weights()[k] * (src[in + y * w + t.first() + k] & 0xff);
                    }
                    rows[y * newW + x] = sum;
                }
            }
            int at = c * newH * newW;
            for (int y = 0; y < newH; y++) {
                Taps t = ys[y];
                for (int x = 0; x < newW; x++) {
                    double sum = 0;
                    for (int k = 0; k < t.weights().length; k++) {
                        sum += t.weights()[k] * rows[(t.first() + k) * newW + x];
                    }
                    out[at + y * newW + x] = (byte) Math.max(0, Math.min(255, Math.round(sum)));
                }
            }
        }
        return out;
    }

    private static Taps[] taps(int in, int out) {
        double scale = (double) in / out;
        double support = Math.max(1.0, scale);
        Taps[] taps = new Taps[out];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(center - support));
            int hi = Math.min(in, (int) Math.ceil(center + support));
            double[] weights = new double[hi - lo];
            double total = 0;
            for (int j = lo; j < hi; j++) {
                weights[j - lo] = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support));
                total += weights[j - lo];
            }
            for (int k = 0; k < weights.length; k++) {
                weights[k] /= total;
            }
            taps[i] = new Taps(lo, weights);
        }
        return taps;
    }
}
