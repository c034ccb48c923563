package io.dpdm.warmstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.DpdmException;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.dp.DpRandom;
import io.dpdm.privacy.Phase;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The central-image release: its sensitivity bound, its ledger phase and what it releases. */
class CentralImagesTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);
    private static final CentralImages DEFAULT = new CentralImages(0.1, 5, 5, 2, false);

    /**
     * Add/remove neighbours: one record changes one class block by its contribution, whose norm is
     * at most sqrt(14 * 14 + 4^2) for 28x28 images averaged to 14x14 with pixels in [0, 1]
     * (attained by a white image). Checked on the pre-noise release of a data set with and
     * without the record, for the brightest, a random and a black image.
     */
    @Test
    void oneRecordMovesTheReleaseByAtMostItsSensitivity() {
        double delta = Math.sqrt(14 * 14 + 16);
        assertEquals(delta, DEFAULT.sensitivity(1, 28, 28), 1e-12);
        SplittableRandom r = new SplittableRandom(3);
        ImageSplit base = random(MNIST, 40, 3, r);
        byte[] white = new byte[MNIST.size()];
        java.util.Arrays.fill(white, (byte) 255);
        byte[] noise = new byte[MNIST.size()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) r.nextInt(256);
        }
        int[] all = java.util.stream.IntStream.range(0, base.size()).toArray();
        double[][] without = DEFAULT.sums(base, 3, all);
        double[] norms = new double[3];
        byte[][] records = {white, noise, new byte[MNIST.size()]};
        for (int k = 0; k < 3; k++) {
            ImageSplit with = append(base, records[k], 1);
            double[][] sums = DEFAULT.sums(with, 3, java.util.stream.IntStream.range(0, with.size()).toArray());
            double sq = 0;
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < sums[c].length; i++) {
                    double d = sums[c][i] - without[c][i];
                    sq += d * d;
                    if (c != 1) {
                        assertEquals(0, d, 0, "another class's block moved");
                    }
                }
            }
            norms[k] = Math.sqrt(sq);
            assertTrue(norms[k] <= delta + 1e-9, "record " + k + " moved the release by " + norms[k]);
        }
        assertEquals(delta, norms[0], 1e-9, "a white image attains the bound");
        assertEquals(4, norms[2], 1e-12, "a black image moves only the count");
    }

    /** Contributions are clipped to the bound even when the pixels would exceed it. */
    @Test
    void contributionsAreClippedToTheSensitivity() {
        CentralImages release = new CentralImages(0.5, 1, 1, 1, false);
        byte[] white = new byte[4];
        java.util.Arrays.fill(white, (byte) 255);
        double[] v = release.contribution(white, 1, 2, 2, 3.0); // true norm sqrt(4 + 16) > 3
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        assertEquals(3.0, Math.sqrt(norm), 1e-12);
    }

    @Test
    void classesTooSmallForTheReleaseAreRefused() {
        // Fashion-MNIST: 600 images per class and round against count noise of std 5 x sqrt(14^2 + 4^2) / 4 = 18.2
        assertEquals(600 / (5 * Math.sqrt(14 * 14 + 16) / 4), DEFAULT.countSignalToNoise(60_000, 10, 1, 28, 28), 1e-9);
        DEFAULT.checkClassesLargeEnough(60_000, 10, 1, 28, 28);
        // 20 RGB 32x32 images per class: 2 per round against std 5 x sqrt(3 x 16^2 + 4^2) / 4 = 35
        DpdmException e = assertThrows(DpdmException.class, () -> DEFAULT.checkClassesLargeEnough(60, 3, 3, 32, 32));
        assertTrue(e.getMessage().contains("about 2.0 images per class") && e.getMessage().contains("std 35.0")
                && e.getMessage().contains("too small"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void theReleaseIsOnePhaseOfTheLedger() {
        Phase p = DEFAULT.phase(1, 28, 28);
        assertEquals(0.1, p.q());
        assertEquals(5, p.sigma());
        assertEquals(5, p.steps());
        assertTrue(p.label().startsWith("central images"), p.label());
        assertTrue(p.label().contains("1x14x14") && p.label().contains("14.56"), p.label());
    }

    /**
     * With every record sampled (q = 1) and noise far below a pixel's quantum, the release is the
     * class means computed by hand: 2x2 averages, upsampled, in [-1, 1].
     */
    @Test
    void withoutNoiseTheReleaseIsTheClassMeans() {
        ImageShape shape = new ImageShape(1, 2, 2);
        byte[] pixels = {0, (byte) 255, 0, (byte) 255, (byte) 255, (byte) 255, (byte) 255, (byte) 255,
            0, 0, 0, 0};
        ImageSplit split = new ImageSplit(shape, pixels, new int[] {0, 1, 1});
        ReleasedImages r = new CentralImages(1, 1e-9, 2, 1, false).release(split, 2, DpRandom.newRunSecret());
        assertEquals(4, r.count());
        assertEquals(java.util.List.of(0, 1, 0, 1), java.util.Arrays.stream(r.labels()).boxed().toList());
        float[] class0 = {-1, 1, -1, 1};
        float[] class1 = {0, 0, 0, 0}; // mean of white and black
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(class0[i], r.images()[(2 * round) * 4 + i], 1e-6);
                assertEquals(class1[i], r.images()[(2 * round + 1) * 4 + i], 1e-6);
            }
        }
    }

    /** The noise of a released mean pixel is sigma Delta / count (here 600 images a class). */
    @Test
    void releasedMeansCarryTheCalibratedNoise() {
        int perClass = 600;
        ImageShape shape = new ImageShape(1, 4, 4);
        byte[] pixels = new byte[2 * perClass * shape.size()];
        java.util.Arrays.fill(pixels, (byte) 128);
        int[] labels = new int[2 * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
        }
        CentralImages release = new CentralImages(1, 10, 40, 1, false);
        ReleasedImages r = release.release(new ImageSplit(shape, pixels, labels), 2, DpRandom.newRunSecret());
        double delta = release.sensitivity(1, 4, 4);
        double expectedStd = 2 * 10 * delta / perClass; // sigma Delta / count in [0, 1] units, x2 for [-1, 1]
        double sum = 0;
        double sq = 0;
        int n = r.images().length;
        for (float v : r.images()) {
            double d = v - (2 * 128 / 255.0 - 1);
            sum += d;
            sq += d * d;
        }
        // Counts are noisy too (std 10 * 4.5 / 4 = 11 against 600): it adds ~1% to the spread. Clamping
        // to [0, 1] is 6 standard deviations away. 1,280 values: the estimate's error is ~2%.
        double std = Math.sqrt(sq / n - (sum / n) * (sum / n));
        assertEquals(expectedStd, std, 0.1 * expectedStd);
    }

    /** The median filter against a hand-computed neighbourhood: an isolated spike vanishes, a step edge stays. */
    @Test
    void medianFilterRemovesSpikesAndKeepsEdges() {
        float[] spike = new float[16];
        spike[5] = 1;
        assertEquals(0, java.util.Arrays.stream(box(CentralImages.median3x3(spike, 1, 4, 4))).max().getAsDouble());
        float[] edge = {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1};
        assertEquals(java.util.Arrays.toString(edge), java.util.Arrays.toString(CentralImages.median3x3(edge, 1, 4, 4)));
    }

    private static double[] box(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static ImageSplit random(ImageShape shape, int n, int classes, SplittableRandom r) {
        byte[] pixels = new byte[n * shape.size()];
        int[] labels = new int[n];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        return new ImageSplit(shape, pixels, labels);
    }

    private static ImageSplit append(ImageSplit split, byte[] image, int label) {
        int n = split.size();
        byte[] pixels = new byte[(n + 1) * split.shape().size()];
        int[] labels = new int[n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(split.rawImage(i), 0, pixels, i * split.shape().size(), split.shape().size());
            labels[i] = split.label(i);
        }
        System.arraycopy(image, 0, pixels, n * split.shape().size(), image.length);
        labels[n] = label;
        return new ImageSplit(split.shape(), pixels, labels);
    }
}
