package io.dpdm.privacy;

/**
 * Radix-2 FFT of real sequences (length a power of two), computed as a complex FFT of half the
 * length on the even/odd samples packed as real/imaginary parts, then split (the standard
 * "two-for-one" real transform). Forward transform {@code X_k = sum_j x_j exp(-2 pi i j k / M)} for
 * k = 0..M/2; the inverse restores x exactly up to rounding. The twiddle table is built once per
 * length and reused.
 */
final class RealFft {
    private final int size; // M, real length
    private final int half; // n = M/2, complex length
    private final double[] cos; // cos(2 pi k / M), k < M/2
    private final double[] sin;
    // Twiddles of each butterfly stage stored contiguously (stage with half-size h at offset h - 1),
    // so that the inner loop reads them sequentially instead of with a cache-missing stride.
    private final double[] stageCos;
    private final double[] stageSin;

    RealFft(int size) {
        if (size < 4 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("FFT length " + size + " must be a power of two >= 4");
        }
        this.size = size;
        this.half = size / 2;
        this.cos = new double[half];
        this.sin = new double[half];
        for (int k = 0; k < half; k++) {
            double angle = 2 * Math.PI * k / size;
            cos[k] = Math.cos(angle);
            sin[k] = Math.sin(angle);
        }
        this.stageCos = new double[Math.max(1, half)];
        this.stageSin = new double[Math.max(1, half)];
        for (int h = 1; h < half; h <<= 1) {
            int stride = size / (2 * h);
            for (int j = 0; j < h; j++) {
                stageCos[h - 1 + j] = cos[j * stride];
                stageSin[h - 1 + j] = sin[j * stride];
            }
        }
    }

    int size() {
        return size;
    }

    /** Spectrum X_0..X_{M/2} of real x (length M) into re/im (length M/2 + 1). */
    void forward(double[] x, double[] re, double[] im) {
        for (int m = 0; m < half; m++) {
            re[m] = x[2 * m];
            im[m] = x[2 * m + 1];
        }
        complexFft(re, im, false);
        re[half] = re[0];
        im[half] = im[0];
        // Split: Fe_k = (Z_k + conj Z_{n-k})/2, Fo_k = (Z_k - conj Z_{n-k})/(2i), X_k = Fe_k + W^k Fo_k.
        for (int k = 0; k <= half / 2; k++) {
            int r = half - k;
            double zr = re[k], zi = im[k], cr = re[r], ci = im[r];
            double[] xk = splitForward(zr, zi, cr, ci, k);
            double[] xr = splitForward(cr, ci, zr, zi, r);
            re[k] = xk[0];
            im[k] = xk[1];
            re[r] = xr[0];
            im[r] = xr[1];
        }
    }

    private double[] splitForward(double zr, double zi, double cr, double ci, int k) {
        double feR = 0.5 * (zr + cr);
        double feI = 0.5 * (zi - ci);
        double foR = 0.5 * (zi + ci);
        double foI = -0.5 * (zr - cr);
        double wr = k == half ? -1 : cos[k];
        double wi = k == half ? 0 : -sin[k];
        return new double[] {feR + wr * foR - wi * foI, feI + wr * foI + wi * foR};
    }

    /** Inverse of {@link #forward}: real x (length M) from X_0..X_{M/2}; re/im are overwritten. */
    void inverse(double[] re, double[] im, double[] x) {
        // Fe_k = (X_k + conj X_{n-k})/2, Fo_k = (X_k - conj X_{n-k}) W^-k / 2, Z_k = Fe_k + i Fo_k.
        for (int k = 0; k <= half / 2; k++) {
            int r = half - k;
            double xr = re[k], xi = im[k], yr = re[r], yi = im[r];
            double[] zk = splitInverse(xr, xi, yr, yi, k);
            double[] zr = splitInverse(yr, yi, xr, xi, r);
            re[k] = zk[0];
            im[k] = zk[1];
            re[r] = zr[0];
            im[r] = zr[1];
        }
        complexFft(re, im, true);
        double scale = 1.0 / half;
        for (int m = 0; m < half; m++) {
            x[2 * m] = re[m] * scale;
            x[2 * m + 1] = im[m] * scale;
        }
    }

    private double[] splitInverse(double xr, double xi, double yr, double yi, int k) {
        double feR = 0.5 * (xr + yr);
        double feI = 0.5 * (xi - yi);
        double dR = 0.5 * (xr - yr);
        double dI = 0.5 * (xi + yi);
        double wr = k == half ? -1 : cos[k];
        double wi = k == half ? 0 : sin[k]; // W^-k
        double foR = dR * wr - dI * wi;
        double foI = dR * wi + dI * wr;
        return new double[] {feR - foI, feI + foR};
    }

    /** In-place iterative radix-2 complex FFT of length M/2 (unnormalised). */
    private void complexFft(double[] re, double[] im, boolean inverse) {
        int n = half;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        double sign = inverse ? 1 : -1;
        for (int len = 2; len <= n; len <<= 1) {
            int h = len >> 1;
            // Blocks outer, butterflies inner: both halves of a block are read contiguously.
            for (int i = 0; i < n; i += len) {
                for (int j = 0, w = h - 1; j < h; j++, w++) {
                    double wr = stageCos[w];
                    double wi = sign * stageSin[w];
                    int a = i + j;
                    int b = a + h;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}
