package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.diffusion.Preconditioned;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNet;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Clipper;
import io.dpdm.dp.Clipping;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.ExampleRandomness;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.PerExampleGradients;
import io.dpdm.nn.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sensitivity argument of DP-SGD needs every other record's clipped gradient to stay the same
 * when one record is added: the per-example draws (label dropout, augmentation, sigma, noise,
 * dropout masks) must belong to the record, not to its position in the data set, the batch or
 * the micro-batch. Checked at the per-example level with one secret key: the same records, with a
 * new record inserted before them (every index shifts), in other micro-batches, and with their K
 * draws split across passes.
 */
class PositionIndependenceTest {
    private static final ImageShape SHAPE = new ImageShape(1, 8, 8);
    private static final int K = 3;

    @Test
    void insertingARecordChangesNoOtherRecordsClippedGradient() {
        Torch.engine();
        SplittableRandom rng = new SplittableRandom(5);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] image = new byte[SHAPE.size()];
            for (int p = 0; p < image.length; p++) {
                image[p] = (byte) rng.nextInt(256);
            }
            images.add(image);
        }
        int[] labels = {1, 0, 1, 1, 0, 0};
        ImageSplit original = split(images.subList(1, 6), new int[] {0, 1, 1, 0, 0});
        ImageSplit inserted = split(images, labels); // image 0 (label 1) goes first: every index shifts by one
        // Dropout in the network and every kind of per-example draw in the loss.
        UNetConfig net = new UNetConfig(8, 1, 8, List.of(1, 2), 1, List.of(4), 0.3, 2);
        try (ParameterStore store = new ParameterStore(3);
                NDManager m = store.manager().newSubManager()) {
            Preconditioned model = new Preconditioned(UNet.create(store, net), new Preconditioning.Edm());
            DenoisingLoss loss = new DenoisingLoss(model, new Preconditioning.Edm().defaultNoise(), K, 2, 0.5,
                    new Augmentation(true, 1));
            DpRandom key = DpRandom.newRunSecret();
            ExampleRandomness step = key.examples(7);
            List<String> names = List.copyOf(store.asMap().keySet());
            float[][][] alone = clipped(new DenoisingSource(store, loss, original, loss.draws()).perExample(
                    new int[] {0, 1, 2, 3, 4}, step, m), names);
            float[][][] shifted = clipped(new DenoisingSource(store, loss, inserted, loss.draws()).perExample(
                    new int[] {0, 1, 2, 3, 4, 5}, step, m), names);
            float[][][] split = clipped(new DenoisingSource(store, loss, inserted, loss.draws()).perExample(
                    new int[] {4, 5}, step, m), names);
            for (int e = 0; e < 5; e++) {
                assertTrue(maxDifference(alone[e], zeros(alone[e])) > 0, "record " + e + " has no gradient");
                assertClose(alone[e], shifted[e + 1], names, "record " + e + " after insertion");
            }
            assertClose(alone[3], split[0], names, "record 3 in another micro-batch");
            assertClose(alone[4], split[1], names, "record 4 in another micro-batch");
            // Not vacuous: another key (or another step) draws differently for the same record.
            float[][][] otherKey = clipped(new DenoisingSource(store, loss, original, loss.draws()).perExample(
                    new int[] {0, 1, 2, 3, 4}, DpRandom.newRunSecret().examples(7), m), names);
            assertTrue(maxDifference(alone[2], otherKey[2]) > 1e-3, "another key gave the same gradient");
        }
    }

    /**
     * Splitting an example's K draws across passes (--draws-per-pass, to bound memory) gives the
     * same per-example gradients, batch gradient and mean loss as one pass with all K: K = 3 as
     * 1 + 1 + 1 and as 2 + 1, with label dropout (one decision shared by the K draws),
     * augmentation and dropout all drawing.
     */
    @Test
    void splittingTheDrawsAcrossPassesChangesNoGradient() {
        Torch.engine();
        SplittableRandom rng = new SplittableRandom(9);
        byte[] pixels = new byte[4 * SHAPE.size()];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = (byte) rng.nextInt(256);
        }
        ImageSplit data = new ImageSplit(SHAPE, pixels, new int[] {0, 1, 1, 0});
        int[] all = {0, 1, 2, 3};
        UNetConfig net = new UNetConfig(8, 1, 8, List.of(1, 2), 1, List.of(4), 0.3, 2);
        try (ParameterStore store = new ParameterStore(4);
                NDManager m = store.manager().newSubManager()) {
            Preconditioned model = new Preconditioned(UNet.create(store, net), new Preconditioning.Edm());
            DenoisingLoss loss = new DenoisingLoss(model, new Preconditioning.Edm().defaultNoise(), K, 2, 0.5,
                    new Augmentation(true, 1));
            ExampleRandomness step = DpRandom.newRunSecret().examples(3);
            List<String> names = List.copyOf(store.asMap().keySet());
            DenoisingSource whole = new DenoisingSource(store, loss, data, K);
            float[][][] expected = unclipped(whole.perExample(all, step, m), names);
            Map<String, NDArray> expectedBatch = whole.batch(all, step, m);
            for (int d = 1; d < K; d++) {
                DenoisingSource split = new DenoisingSource(store, loss, data, d);
                float[][][] actual = unclipped(split.perExample(all, step, m), names);
                for (int e = 0; e < all.length; e++) {
                    assertClose(expected[e], actual[e], names, "record " + e + ", " + d + " draws per pass");
                }
                Map<String, NDArray> batch = split.batch(all, step, m);
                assertClose(arrays(expectedBatch, names), arrays(batch, names), names,
                        "batch gradient, " + d + " draws per pass");
                assertEquals(whole.meanLoss(), split.meanLoss(), 1e-6 * whole.meanLoss(), "mean loss, " + d
                        + " draws per pass");
                assertEquals(whole.examples(), split.examples(), "examples counted, " + d + " draws per pass");
            }
            // Not vacuous: one draw alone is not the K-draw gradient.
            DenoisingLoss oneDraw = loss.withDraws(1);
            float[][][] first = unclipped(new DenoisingSource(store, oneDraw, data, 1).perExample(all, step, m), names);
            assertTrue(maxDifference(expected[0], first[0]) > 1e-4, "the first draw alone gave the K-draw gradient");
        }
    }

    private static ImageSplit split(List<byte[]> images, int[] labels) {
        byte[] pixels = new byte[images.size() * SHAPE.size()];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, pixels, i * SHAPE.size(), SHAPE.size());
        }
        return new ImageSplit(SHAPE, pixels, labels.clone());
    }

    /** [example][parameter] -> the example's gradient clipped to norm 1, as DP-SGD sums it. */
    private static float[][][] clipped(PerExampleGradients g, List<String> names) {
        return scaled(g, names, new Clipper(Clipping.FLAT, 1.0).factors(g.squaredNorms(names))[0]);
    }

    /** [example][parameter] -> the example's gradient. */
    private static float[][][] unclipped(PerExampleGradients g, List<String> names) {
        double[] ones = new double[g.examples()];
        Arrays.fill(ones, 1);
        return scaled(g, names, ones);
    }

    /** [example][parameter] -> the example's gradient times its factor. */
    private static float[][][] scaled(PerExampleGradients g, List<String> names, double[] factors) {
        float[][][] out = new float[g.examples()][names.size()][];
        for (int e = 0; e < g.examples(); e++) {
            float[] oneHot = new float[g.examples()];
            oneHot[e] = (float) factors[e];
            for (int l = 0; l < names.size(); l++) {
                out[e][l] = g.weightedSum(names.get(l), oneHot).toFloatArray();
            }
        }
        return out;
    }

    /**
     * Entry-wise within 1e-5 of the gradient's largest entry (over all its tensors): only float
     * summation order may differ between batch layouts. (Scaled per tensor, a one-entry bias
     * whose sum cancels to 1e-4 of its terms failed on rounding alone, with kernels that block
     * sums by batch size.)
     */
    private static void assertClose(float[][] expected, float[][] actual, List<String> names, String what) {
        double scale = 0;
        for (float[] tensor : expected) {
            for (float v : tensor) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int l = 0; l < expected.length; l++) {
            assertEquals(expected[l].length, actual[l].length, names.get(l) + " of " + what);
            for (int i = 0; i < expected[l].length; i++) {
                assertEquals(expected[l][i], actual[l][i], 1e-5 * scale + 1e-9, names.get(l) + " of " + what
                        + " entry " + i);
            }
        }
    }

    private static float[][] arrays(Map<String, NDArray> gradient, List<String> names) {
        return names.stream().map(n -> gradient.get(n).toFloatArray()).toArray(float[][]::new);
    }

    private static float[][] zeros(float[][] like) {
        float[][] z = new float[like.length][];
        for (int l = 0; l < like.length; l++) {
            z[l] = new float[like[l].length];
        }
        return z;
    }

    private static double maxDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int l = 0; l < a.length; l++) {
            for (int i = 0; i < a[l].length; i++) {
                max = Math.max(max, Math.abs(a[l][i] - b[l][i]));
            }
        }
        return max;
    }
}
