package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Torch;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DenoisingLossTest {
    private static final Preconditioning EDM = new Preconditioning.Edm();
    /** sigma ~ 1e-4: noisy inputs equal the clean rows to within 1e-3. */
    private static final NoiseDistribution TINY = new NoiseDistribution.LogNormal(-9, 0.1);

    private NDManager m;

    /** What the backbone saw on its last call. */
    private float[] seenX;
    private float[] seenCNoise;
    private int[] seenLabels;

    private final Backbone recordZero = (w, xIn, cNoise, labels) -> {
        seenX = xIn.toFloatArray();
        seenCNoise = cNoise.toFloatArray();
        seenLabels = labels == null ? null : labels.toIntArray();
        return xIn.zerosLike();
    };

    @BeforeEach
    void start() {
        Torch.engine();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void stop() {
        m.close();
    }

    /** Undo EDM's c_in with an independent inverse of c_noise = ln(sigma)/4 (sd^2 = 1/3). */
    private float[] seenNoisy() {
        int size = seenX.length / seenCNoise.length;
        float[] x = new float[seenX.length];
        for (int i = 0; i < x.length; i++) {
            double s = Math.exp(4.0 * seenCNoise[i / size]);
            x[i] = (float) (seenX[i] * Math.sqrt(s * s + 1.0 / 3));
        }
        return x;
    }

    @Test
    void rowsAreDrawMajorAndLabelDropoutIsSharedByAnExamplesDraws() {
        int b = 200;
        int k = 3;
        float[] x0 = new float[b * 2];
        int[] labels = new int[b];
        for (int e = 0; e < b; e++) {
            x0[2 * e] = e / 100f - 1;
            x0[2 * e + 1] = 1 - e / 100f;
            labels[e] = e % 10;
        }
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(recordZero, EDM), TINY, k, 10, 0.1, Augmentation.NONE);
        int dropped = 0;
        int calls = 20;
        for (int call = 0; call < calls; call++) {
            NDArray out = loss.perExample(new TestWeights(b, k, m), m.create(x0, new Shape(b, 1, 1, 2)),
                    labels, BatchRandomness.seeded(call, b, k));
            assertEquals(new Shape(b), out.getShape());
            float[] noisy = seenNoisy();
            for (int e = 0; e < b; e++) {
                int label = seenLabels[e];
                assertTrue(label == labels[e] || label == 10, "label " + label);
                dropped += label == 10 ? 1 : 0;
                for (int d = 0; d < k; d++) {
                    int row = d * b + e;
                    assertEquals(label, seenLabels[row], "row " + row);
                    assertEquals(x0[2 * e], noisy[2 * row], 1e-3);
                    assertEquals(x0[2 * e + 1], noisy[2 * row + 1], 1e-3);
                }
            }
        }
        // 4000 Bernoulli(0.1) decisions: standard error 0.0047, tolerance 5 of them.
        assertEquals(0.1, dropped / (double) (b * calls), 5 * Math.sqrt(0.09 / (b * calls)));
    }

    /** Recompute every row's loss from what the backbone saw; the output is the mean over k. */
    @Test
    void perExampleLossIsTheMeanOfItsDrawsWeightedLosses() {
        int b = 3;
        int k = 4;
        float[] x0 = {0.1f, -0.4f, 0.9f, 0.2f, -1f, 0.5f, 0.5f, 0f, 0.3f, 0.3f, -0.7f, 0.8f};
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(recordZero, EDM), EDM.defaultNoise(), k, 0, 0,
                Augmentation.NONE);
        float[] got = loss.perExample(new TestWeights(b, k, m), m.create(x0, new Shape(b, 1, 2, 2)), null,
                BatchRandomness.seeded(42, b, k)).toFloatArray();
        assertEquals(null, seenLabels);
        float[] noisy = seenNoisy();
        double sd2 = 1.0 / 3;
        double[] expected = new double[b];
        for (int row = 0; row < k * b; row++) {
            double s = Math.exp(4.0 * seenCNoise[row]);
            double skip = sd2 / (s * s + sd2);
            double lambda = (s * s + sd2) / (s * s * sd2);
            double sq = 0;
            for (int p = 0; p < 4; p++) {
                double diff = skip * noisy[row * 4 + p] - x0[(row % b) * 4 + p];
                sq += diff * diff;
            }
            expected[row % b] += lambda * sq / 4 / k;
        }
        for (int e = 0; e < b; e++) {
            assertEquals(expected[e], got[e], 1e-4 * expected[e]);
        }
    }

    /**
     * Data N(mu, s^2) per pixel and the ideal denoiser D = (s^2 x + sigma^2 mu)/(s^2 + sigma^2):
     * E[(D - x0)^2] = s^2 sigma^2/(s^2 + sigma^2), the posterior variance, and with sd = s (EDM)
     * or s = 1 (v-prediction) lambda times it is exactly 1 at every sigma. Each of the
     * B*K*pixels = 32,000 terms is then chi-square(1): standard error 0.0079, tolerance 5 of them.
     */
    @Test
    void idealDenoiserHasUnitExpectedLoss() {
        assertEquals(1, meanIdealLoss(new Preconditioning.Edm(0.5), 0.5, s -> Math.exp(4 * s)), 0.04);
        assertEquals(1, meanIdealLoss(new Preconditioning.VPrediction(), 1, t -> Math.tan(Math.PI * t / 2)), 0.04);
    }

    private double meanIdealLoss(Preconditioning p, double s, DoubleUnaryOperator sigmaOfCNoise) {
        double mu = 0.3;
        Backbone ideal = (w, xIn, cNoise, labels) -> {
            float[] in = xIn.toFloatArray();
            float[] c = cNoise.toFloatArray();
            int size = in.length / c.length;
            float[] f = new float[in.length];
            for (int i = 0; i < in.length; i++) {
                double sigma = sigmaOfCNoise.applyAsDouble(c[i / size]);
                double x = in[i] / p.cIn(sigma);
                double d = (s * s * x + sigma * sigma * mu) / (s * s + sigma * sigma);
                f[i] = (float) ((d - p.cSkip(sigma) * x) / p.cOut(sigma));
            }
            return xIn.getManager().create(f, xIn.getShape());
        };
        int b = 500;
        int k = 4;
        SplittableRandom data = new SplittableRandom(7);
        float[] x0 = new float[b * 16];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = (float) (mu + s * data.nextGaussian());
        }
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(ideal, p), p.defaultNoise(), k, 0, 0,
                Augmentation.NONE);
        return loss.perExample(new TestWeights(b, k, m), m.create(x0, new Shape(b, 1, 4, 4)), null,
                BatchRandomness.seeded(8, b, k)).mean().getFloat();
    }

    /**
     * Through autograd with a per-example weight a_b (F = a_b c_in x on example b's K rows), the
     * gradient of sum_b loss_b with respect to a_b must equal d loss_b / d a_b, checked by central
     * differences (exact here: the loss is quadratic in a).
     */
    @Test
    void perExampleGradientsFlowOnlyToTheirOwnExample() {
        int b = 3;
        int k = 5;
        float[] x0 = {0.1f, -0.4f, 0.9f, 0.2f, -1f, 0.5f, 0.5f, 0f, 0.3f, 0.3f, -0.7f, 0.8f};
        float[] a = {0.2f, -0.5f, 1.1f};
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(scaledBy(k), EDM), EDM.defaultNoise(), k, 0, 0,
                Augmentation.NONE);
        NDArray images = m.create(x0, new Shape(b, 1, 2, 2));
        NDArray leaf = m.create(a);
        leaf.setRequiresGradient(true);
        float[] grad;
        try (ai.djl.training.GradientCollector gc = Torch.engine().newGradientCollector()) {
            NDArray total = loss.perExample(new ScalarWeights(leaf, b, k, m), images, null, BatchRandomness.seeded(3, b, k)).sum();
            gc.backward(total);
            grad = leaf.getGradient().toFloatArray();
        }
        double h = 0.01;
        for (int e = 0; e < b; e++) {
            float[] up = a.clone();
            float[] down = a.clone();
            up[e] += (float) h;
            down[e] -= (float) h;
            double lossUp = loss.perExample(new ScalarWeights(m.create(up), b, k, m), images, null,
                    BatchRandomness.seeded(3, b, k)).toFloatArray()[e];
            double lossDown = loss.perExample(new ScalarWeights(m.create(down), b, k, m), images, null,
                    BatchRandomness.seeded(3, b, k)).toFloatArray()[e];
            assertEquals((lossUp - lossDown) / (up[e] - down[e]), grad[e], 2e-3 * (1 + Math.abs(grad[e])));
        }
    }

    /** F = a_b * xIn on the rows of example b (draw-major: row k*B + b uses a[b]). */
    private static Backbone scaledBy(int k) {
        return (w, xIn, cNoise, labels) -> xIn.mul(w.get("a").tile(new long[] {k}).reshape(-1, 1, 1, 1));
    }

    private record ScalarWeights(NDArray a, int examples, int draws, NDManager manager) implements io.dpdm.nn.Weights {
        @Override
        public NDArray get(String name) {
            return a;
        }

        @Override
        public boolean perExample() {
            return true;
        }

        @Override
        public BatchRandomness randomness() {
            return null;
        }
    }

    @Test
    void sameGeneratorStateGivesTheSameLoss() {
        float[] x0 = {0.1f, -0.4f, 0.9f, 0.2f, -1f, 0.5f, 0.5f, 0f};
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(recordZero, EDM), EDM.defaultNoise(), 2, 10, 0.5,
                new Augmentation(true, 1));
        float[][] runs = new float[3][];
        long[] seeds = {5, 5, 6};
        for (int i = 0; i < 3; i++) {
            runs[i] = loss.perExample(new TestWeights(2, 2, m), m.create(x0, new Shape(2, 1, 2, 2)),
                    new int[] {3, 7}, BatchRandomness.seeded(seeds[i], 2, 2)).toFloatArray();
        }
        assertArrayEquals(runs[0], runs[1], 0f);
        assertFalse(Arrays.equals(runs[0], runs[2]));
    }

    @Test
    void flipAugmentationShowsEachDrawTheImageOrItsMirror() {
        int b = 50;
        int k = 8;
        float[] x0 = new float[b * 3];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = i / (float) x0.length;
        }
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(recordZero, EDM), TINY, k, 0, 0,
                new Augmentation(true, 0));
        loss.perExample(new TestWeights(b, k, m), m.create(x0, new Shape(b, 1, 1, 3)), null, BatchRandomness.seeded(1, b, k));
        float[] seen = seenNoisy();
        int flipped = 0;
        for (int row = 0; row < b * k; row++) {
            int e = row % b;
            boolean same = Math.abs(seen[3 * row] - x0[3 * e]) < 1e-3 && Math.abs(seen[3 * row + 2] - x0[3 * e + 2]) < 1e-3;
            boolean mirrored = Math.abs(seen[3 * row] - x0[3 * e + 2]) < 1e-3
                    && Math.abs(seen[3 * row + 2] - x0[3 * e]) < 1e-3;
            assertTrue(same ^ mirrored, "row " + row);
            assertEquals(x0[3 * e + 1], seen[3 * row + 1], 1e-3);
            flipped += mirrored ? 1 : 0;
        }
        // 400 fair coins: standard error 0.025, tolerance 5 of them.
        assertEquals(0.5, flipped / (double) (b * k), 0.125);
    }

    /** Each row is x0 shifted by some (dx, dy) in [-1, 1]^2 with reflection at the border. */
    @Test
    void shiftAugmentationUsesEveryShiftWithReflection() {
        int b = 20;
        int k = 10;
        float[] x0 = new float[b * 16];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = (i % 16) / 16f + i / 16;
        }
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(recordZero, EDM), TINY, k, 0, 0,
                new Augmentation(false, 1));
        loss.perExample(new TestWeights(b, k, m), m.create(x0, new Shape(b, 1, 4, 4)), null, BatchRandomness.seeded(2, b, k));
        float[] seen = seenNoisy();
        boolean[] used = new boolean[9];
        for (int row = 0; row < b * k; row++) {
            int matches = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    boolean all = true;
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            int sy = Math.abs(y - dy) > 3 ? 6 - (y - dy) : Math.abs(y - dy);
                            int sx = Math.abs(x - dx) > 3 ? 6 - (x - dx) : Math.abs(x - dx);
                            all &= Math.abs(seen[row * 16 + y * 4 + x] - x0[(row % b) * 16 + sy * 4 + sx]) < 1e-3;
                        }
                    }
                    if (all) {
                        matches++;
                        used[(dy + 1) * 3 + dx + 1] = true;
                    }
                }
            }
            assertEquals(1, matches, "row " + row);
        }
        for (boolean u : used) {
            assertTrue(u);
        }
    }

    @Test
    void rejectsInconsistentInput() {
        DenoisingLoss cond = new DenoisingLoss(new Preconditioned(recordZero, EDM), EDM.defaultNoise(), 2, 10, 0.1,
                Augmentation.NONE);
        NDArray x0 = m.zeros(new Shape(2, 1, 2, 2));
        assertEquals("weights are for 3 examples x 2 draws, the batch has 2 examples x 2 draws",
                assertThrows(IllegalArgumentException.class, () -> cond.perExample(new TestWeights(3, 2, m), x0,
                        new int[] {1, 2}, BatchRandomness.seeded(0, 3, 2))).getMessage());
        assertEquals("label 10 of example 1 is outside [0, 10)",
                assertThrows(IllegalArgumentException.class, () -> cond.perExample(new TestWeights(2, 2, m), x0,
                        new int[] {1, 10}, BatchRandomness.seeded(0, 2, 2))).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> cond.perExample(new TestWeights(2, 2, m), x0, null, BatchRandomness.seeded(0, 2, 2)));
        assertEquals("draws (noise multiplicity K) must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new DenoisingLoss(
                        new Preconditioned(recordZero, EDM), EDM.defaultNoise(), 0, 0, 0, Augmentation.NONE))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, -1));
    }
}
