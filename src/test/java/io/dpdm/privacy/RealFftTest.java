package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The FFT against the defining sums: a direct DFT and a direct circular convolution. */
class RealFftTest {
    @ParameterizedTest
    @ValueSource(ints = {4, 8, 64, 1024})
    void forwardMatchesDirectDft(int n) {
        double[] x = new Random(n).doubles(n, -1, 1).toArray();
        double[] re = new double[n / 2 + 1];
        double[] im = new double[n / 2 + 1];
        new RealFft(n).forward(x, re, im);
        for (int k = 0; k <= n / 2; k++) {
            double sr = 0, si = 0;
            for (int j = 0; j < n; j++) {
                double angle = -2 * Math.PI * (long) j * k / n;
                sr += x[j] * Math.cos(angle);
                si += x[j] * Math.sin(angle);
            }
            assertEquals(sr, re[k], 1e-11, "Re X_" + k);
            assertEquals(si, im[k], 1e-11, "Im X_" + k);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 256, 4096})
    void productOfSpectraIsDirectCircularConvolution(int n) {
        Random rnd = new Random(7 * n);
        double[] a = rnd.doubles(n, 0, 1).toArray();
        double[] b = rnd.doubles(n, 0, 1).toArray();
        RealFft fft = new RealFft(n);
        double[] ar = new double[n / 2 + 1], ai = new double[n / 2 + 1];
        double[] br = new double[n / 2 + 1], bi = new double[n / 2 + 1];
        fft.forward(a, ar, ai);
        fft.forward(b, br, bi);
        for (int k = 0; k <= n / 2; k++) {
            double r = ar[k] * br[k] - ai[k] * bi[k];
            ai[k] = ar[k] * bi[k] + ai[k] * br[k];
            ar[k] = r;
        }
        double[] c = new double[n];
        fft.inverse(ar, ai, c);
        for (int k = 0; k < n; k++) {
            double direct = 0;
            for (int j = 0; j < n; j++) {
                direct += a[j] * b[Math.floorMod(k - j, n)];
            }
            assertEquals(direct, c[k], 1e-12 * n, "c_" + k);
        }
    }
}
