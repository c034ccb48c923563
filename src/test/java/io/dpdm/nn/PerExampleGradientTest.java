package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-example gradients (one backward over expanded weights) against the obviously correct
 * reference: for each example b alone, the ordinary gradient of the mean of its K draws' losses.
 * Every parameter is randomised first so that no gradient is trivially zero.
 */
class PerExampleGradientTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = Torch.engine().newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void convSamePaddingWithBiasAndTwoDraws() {
        try (ParameterStore s = new ParameterStore(1)) {
            Layer net = Conv2d.create(s, "c", 3, 4, 3);
            check(s, 3, 2, net, new Shape(3, 5, 5), true);
        }
    }

    @Test
    void convStrideTwoPaddingGroupsThreeDraws() {
        try (ParameterStore s = new ParameterStore(2)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 4, 6, 3, 2, 1, 2, true, 1.0),
                    Conv2d.create(s, "d", 6, 2, 1, 1, 0, 1, false, 1.0));
            check(s, 2, 3, net, new Shape(4, 7, 7), false); // factored: grouped convolutions are refused
        }
    }

    @Test
    void bothConvRoutesWithStrideTwoAndPadding() {
        try (ParameterStore s = new ParameterStore(10)) {
            // 2*3*3 = 18 taps: im2col route; 5*3*3 = 45 taps: grouped-convolution route.
            Layer net = Sequential.of(Conv2d.create(s, "small", 2, 5, 3, 2, 1, 1, true, 1.0), Activation.SILU,
                    Conv2d.create(s, "large", 5, 4, 3, 2, 1, 1, true, 1.0));
            check(s, 2, 3, net, new Shape(2, 9, 9), true);
            check(s, 4, 1, net, new Shape(2, 8, 8), true);
        }
    }

    @Test
    void convolutionsWhoseWeightGradientsAreFormedAfterTheBackwardPass() {
        try (ParameterStore s = new ParameterStore(12)) {
            // 16 -> 32 and 32 -> 16 channels at 4x4 and 2x2, one draw: each example's 3x3 kernel is
            // at least half its activations, so both take the shared-forward route; at 32x32 the
            // first would not, nor with 2 draws, nor with 30 output channels (not blocks of 16).
            Layer net = Sequential.of(Conv2d.create(s, "c", 16, 32, 3), Activation.SILU,
                    Conv2d.create(s, "d", 32, 16, 3, 2, 1, 1, false, 1.0));
            assertTrue(Conv2d.defersWeightGradient(new Shape(32, 16, 3, 3), new Shape(5, 16, 4, 4), 1));
            assertTrue(Conv2d.defersWeightGradient(new Shape(16, 32, 3, 3), new Shape(5, 32, 4, 4), 1));
            assertFalse(Conv2d.defersWeightGradient(new Shape(32, 16, 3, 3), new Shape(5, 16, 32, 32), 1));
            assertFalse(Conv2d.defersWeightGradient(new Shape(32, 16, 3, 3), new Shape(6, 16, 4, 4), 2));
            assertFalse(Conv2d.defersWeightGradient(new Shape(30, 16, 3, 3), new Shape(3, 16, 2, 2), 1));
            check(s, 5, 1, net, new Shape(16, 4, 4), true);
            check(s, 3, 1, net, new Shape(16, 3, 3), true);
            // and the route ran: a per-example pass defers both kernels' gradients, not the bias's;
            // a frozen kernel (its copies record no gradient) takes the shared route and defers nothing
            for (boolean trained : new boolean[] {true, false}) {
                try (NDManager pass = manager.newSubManager()) {
                    Map<String, NDArray> copies = new LinkedHashMap<>();
                    s.asMap().forEach((name, p) -> {
                        NDArray copy = p.broadcast(new Shape(2).addAll(p.getShape()));
                        copy.setRequiresGradient(trained);
                        copies.put(name, copy);
                    });
                    DeferredGradients deferred = new DeferredGradients();
                    net.forward(new PassWeights(copies, true, 2, 1, null, pass, Precision.FP32, deferred),
                            pass.randomNormal(new Shape(2, 16, 4, 4)));
                    assertEquals(trained ? List.of("c.weight", "d.weight") : List.of(), List.copyOf(deferred.names()));
                }
            }
        }
    }

    @Test
    void factoredConvolutionsOnWholeChannelBlocksMaterialisedByTheBackwardWeightsKernel() {
        try (ParameterStore s = new ParameterStore(14)) {
            // 16 -> 32 at 9x9 (49 positions of 144 taps) and 32 -> 16, stride 2, padding 1 at 7x7
            // (16 positions of 288 taps): n (in + out) >= in * out, so factored mode materialises both,
            // from the layer input by ConvWeightGradient, not from im2col rows; with 1 and 3 draws
            Layer net = Sequential.of(Conv2d.create(s, "c", 16, 32, 3, 1, 0, 1, true, 1.0), Activation.SILU,
                    Conv2d.create(s, "d", 32, 16, 3, 2, 1, 1, true, 1.0));
            check(s, 3, 1, net, new Shape(16, 9, 9), true);
            check(s, 2, 3, net, new Shape(16, 9, 9), true);
        }
    }

    @Test
    void pointwiseConvolutionWithMoreTapsThanIm2colTakes() {
        try (ParameterStore s = new ParameterStore(11)) {
            // 40 input channels x 1 x 1 > MAX_IM2COL_TAPS: 1x1 convolutions take the matrix-product route anyway.
            Layer net = Sequential.of(Conv2d.create(s, "wide", 40, 6, 1), Activation.SILU,
                    Conv2d.create(s, "strided", 6, 3, 1, 2, 0, 1, true, 1.0));
            check(s, 3, 2, net, new Shape(40, 5, 5), true);
            check(s, 2, 1, net, new Shape(40, 4, 4), true);
        }
    }

    @Test
    void linearOnVectorsAndOnTokens() {
        try (ParameterStore s = new ParameterStore(3)) {
            Layer net = Sequential.of(Linear.create(s, "a", 5, 4), Activation.SILU, Linear.create(s, "b", 4, 3, false, 1.0));
            // factored: one row per example takes ghost norms, 12 token rows materialise
            check(s, 3, 1, net, new Shape(5), true);
            check(s, 3, 2, net, new Shape(6, 5), true);
        }
    }

    @Test
    void groupNormWithAffine() {
        try (ParameterStore s = new ParameterStore(4)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 2, 8, 3), GroupNorm.create(s, "n", 8, 2, 1e-5f), Activation.SILU);
            check(s, 3, 2, net, new Shape(2, 4, 4), true);
        }
    }

    @Test
    void selfAttention() {
        try (ParameterStore s = new ParameterStore(5)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 2, 8, 1), SelfAttention.create(s, "att", 8));
            check(s, 2, 3, net, new Shape(2, 3, 3), true);
        }
    }

    @Test
    void embeddingOfLabels() {
        try (ParameterStore s = new ParameterStore(6)) {
            Layer net = Sequential.of(Embedding.create(s, "e", 5, 4), Activation.SILU, Linear.create(s, "l", 4, 3));
            int b = 4;
            int k = 2;
            // Each example keeps its label across its draws; two examples share label 3.
            long[] perExample = {3, 0, 3, 4};
            long[] rows = new long[k * b];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = perExample[i % b];
            }
            compare(s, b, k, net, manager.create(rows), true);
        }
    }

    @Test
    void parameterFreeLayersAndEvaluationDropout() {
        try (ParameterStore s = new ParameterStore(7)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 1, 4, 3), Activation.RELU, new Spatial.MaxPool2d(2),
                    new Dropout(0.5), Spatial.UPSAMPLE_NEAREST_2X, Conv2d.create(s, "d", 4, 4, 3), new Spatial.AvgPool2d(2),
                    Spatial.FLATTEN, Linear.create(s, "l", 4 * 3 * 3, 2));
            check(s, 3, 2, net, new Shape(1, 6, 6), true);
        }
    }

    @Test
    void factoredConvWithFewPositionsTakesGhostNorms() {
        try (ParameterStore s = new ParameterStore(12)) {
            // 3x3 -> one position: n = K rows of 8*9 = 72 taps, 6 outputs, so n (72 + 6) < 72 * 6
            Layer net = Sequential.of(Conv2d.create(s, "c", 8, 6, 3, 1, 0, 1, true, 1.0), Activation.SILU,
                    Spatial.FLATTEN, Linear.create(s, "l", 6, 2));
            check(s, 3, 1, net, new Shape(8, 3, 3), true);
            check(s, 2, 3, net, new Shape(8, 3, 3), true);
        }
    }

    @Test
    void factoredNonFiniteExampleGetsANonFiniteNormAndWeightZeroDropsIt() {
        try (ParameterStore s = new ParameterStore(13)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 2, 3, 3, 1, 0, 1, true, 1.0), Activation.SILU,
                    Spatial.FLATTEN, Linear.create(s, "l", 3 * 2 * 2, 2));
            randomise(s);
            float[] values = manager.randomNormal(new Shape(3, 2, 4, 4)).toFloatArray();
            values[32 + 5] = Float.NaN; // example 1
            NDArray x = manager.create(values, new Shape(3, 2, 4, 4));
            try (NDManager step = manager.newSubManager()) {
                PerExampleGradients g = Gradients.factored(step, s, 3, 1, null, w -> loss(w, net, x));
                List<String> names = List.copyOf(s.asMap().keySet());
                double[][] squares = g.squaredNorms(names);
                for (int l = 0; l < names.size(); l++) {
                    assertTrue(Double.isFinite(squares[l][0]) && Double.isFinite(squares[l][2]), names.get(l));
                }
                assertFalse(Double.isFinite(squares[0][1] + squares[1][1] + squares[2][1] + squares[3][1]));
                Map<String, NDArray> first = single(step, s, net, x, 0);
                Map<String, NDArray> third = single(step, s, net, x, 2);
                for (String name : names) {
                    NDArray expected = first.get(name).mul(0.5f).add(third.get(name).mul(2f));
                    assertClose(name, expected, g.weightedSum(name, new float[] {0.5f, 0f, 2f}),
                            2.5 * Math.max(largest(first), largest(third)));
                }
            }
        }
    }

    /** The ordinary gradient of example e's loss alone (one draw). */
    private static Map<String, NDArray> single(NDManager step, ParameterStore s, Layer net, NDArray x, int e) {
        NDArray xe = x.get(step.create(new long[] {e}));
        return Gradients.batch(step, s, 1, 1, null, w -> loss(w, net, xe));
    }

    @Test
    void sumOfPerExampleGradientsIsTheBatchGradient() {
        try (ParameterStore s = new ParameterStore(8)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 2, 8, 3, 2, 1, 1, true, 1.0), GroupNorm.create(s, "n", 8),
                    Activation.SILU, SelfAttention.create(s, "att", 8), Spatial.FLATTEN, Linear.create(s, "l", 8 * 16, 3));
            randomise(s);
            int b = 3;
            int k = 2;
            NDArray x = manager.randomNormal(new Shape(k * b, 2, 7, 7));
            try (NDManager step = manager.newSubManager()) {
                Map<String, NDArray> per = Gradients.perExample(step, s, b, k, null, w -> loss(w, net, x));
                Map<String, NDArray> whole = Gradients.batch(step, s, b, k, null, w -> loss(w, net, x));
                assertEquals(s.asMap().keySet(), per.keySet());
                double global = largest(whole);
                for (String name : whole.keySet()) {
                    assertClose(name, whole.get(name), per.get(name).sum(new int[] {0}), global);
                }
            }
        }
    }

    @Test
    void passesLeaveNoArraysInLongLivedManagers() {
        try (ParameterStore s = new ParameterStore(11)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 3, 8, 3), GroupNorm.create(s, "n", 8), Activation.SILU,
                    SelfAttention.create(s, "att", 8), new Dropout(0.2));
            // x lives in the long-lived manager: results of x.op(...) land there unless the pass cleans up.
            NDArray x = manager.randomNormal(new Shape(4, 3, 4, 4));
            int inputs = manager.getManagedArrays().size();
            int params = s.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager step = manager.newSubManager()) {
                    Gradients.perExample(step, s, 2, 2, BatchRandomness.seeded(i, 2, 2), w -> loss(w, net, x));
                    Gradients.batch(step, s, 2, 2, BatchRandomness.seeded(i, 2, 2), w -> loss(w, net, x));
                    Gradients.forward(step, s, 2, 2, w -> net.forward(w, x));
                }
                assertEquals(inputs, manager.getManagedArrays().size(), "arrays left in the inputs' manager");
                assertEquals(params, s.manager().getManagedArrays().size(), "arrays left in the parameter store");
            }
        }
    }

    @Test
    void dropoutInTrainingKeepsAboutHalfAndRescales() {
        try (NDManager step = manager.newSubManager()) {
            Weights w = new PassWeights(Map.of(), false, 1, 1, BatchRandomness.seeded(3, 1, 1), step, Precision.FP32, null);
            NDArray y = new Dropout(0.5).forward(w, step.ones(new Shape(1, 10_000)));
            float[] v = y.toFloatArray();
            int kept = 0;
            for (float f : v) {
                assertTrue(f == 0f || f == 2f, "dropout output must be 0 or 1/(1-p)");
                kept += f == 2f ? 1 : 0;
            }
            assertEquals(5000, kept, 250); // 5 standard deviations
        }
    }

    @Test
    void forwardOnlyMatchesAHandComputedLinearMap() {
        try (ParameterStore s = new ParameterStore(9); NDManager step = manager.newSubManager()) {
            Linear lin = Linear.create(s, "l", 2, 1);
            Torch.assign(s.get("l.weight"), step.create(new float[] {2f, -1f}, new Shape(2, 1)));
            Torch.assign(s.get("l.bias"), step.create(new float[] {0.5f}));
            NDArray x = step.create(new float[] {1, 1, 3, 4}, new Shape(2, 2));
            NDArray y = Gradients.forward(step, s, 2, 1, w -> lin.forward(w, x));
            assertEquals(step, y.getManager());
            float[] out = y.toFloatArray();
            assertEquals(1.5f, out[0], 1e-6);
            assertEquals(2.5f, out[1], 1e-6);
        }
    }

    /** Row loss: sum over features of sin(y) + y^2 / 2, averaged over each example's draws. */
    private static NDArray loss(Weights w, Layer net, NDArray x) {
        NDArray y = net.forward(w, x);
        NDArray rows = y.sin().add(y.square().mul(Torch.scalar(w.manager(), 0.5))).reshape(y.getShape().get(0), -1).sum(new int[] {1});
        return Gradients.meanOverDraws(w, rows);
    }

    private static void check(ParameterStore s, int b, int k, Layer net, Shape perRow, boolean factorable) {
        compare(s, b, k, net, manager.randomNormal(new Shape(k * b).addAll(perRow)), factorable);
    }

    /**
     * Expanded weights entry by entry, then what clipping reads (norms, weighted sums) from them
     * and, when the network has only Linear and dense Conv2d parameters, from the factored method
     * (which must refuse any other network), all against the loop of single-example passes.
     */
    private static void compare(ParameterStore s, int b, int k, Layer net, NDArray x, boolean factorable) {
        randomise(s);
        try (NDManager step = manager.newSubManager()) {
            Map<String, NDArray> per = Gradients.perExample(step, s, b, k, null, w -> loss(w, net, x));
            List<Map<String, NDArray>> singles = new ArrayList<>();
            for (int e = 0; e < b; e++) {
                long[] rows = new long[k];
                for (int d = 0; d < k; d++) {
                    rows[d] = (long) d * b + e;
                }
                NDArray xe = x.get(step.create(rows));
                Map<String, NDArray> single = Gradients.batch(step, s, 1, k, null, w -> loss(w, net, xe));
                double global = largest(single);
                for (String name : single.keySet()) {
                    assertEquals(new Shape(b).addAll(s.get(name).getShape()), per.get(name).getShape(), name);
                    assertClose(name + " example " + e, single.get(name), per.get(name).get(e), global);
                }
                singles.add(single);
            }
            LoopReference.assertMatches("expanded", PerExampleGradients.of(per), singles);
            if (factorable) {
                LoopReference.assertMatches("factored", Gradients.factored(step, s, b, k, null, w -> loss(w, net, x)),
                        singles);
            } else {
                assertThrows(IllegalArgumentException.class,
                        () -> Gradients.factored(step, s, b, k, null, w -> loss(w, net, x)));
            }
        }
    }

    private static void randomise(ParameterStore s) {
        Random r = new Random(42);
        for (NDArray p : s.asMap().values()) {
            float[] v = new float[(int) p.getShape().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.5 * r.nextGaussian());
            }
            try (NDArray values = manager.create(v, p.getShape())) {
                Torch.assign(p, values);
            }
        }
    }

    /** Largest absolute reference entry over all tensors: the floor of every tolerance scales with it. */
    private static double largest(Map<String, NDArray> gradients) {
        double scale = 0;
        for (NDArray g : gradients.values()) {
            scale = Math.max(scale, g.abs().max().getFloat());
        }
        return scale;
    }

    /**
     * Entry-wise |expected - actual| <= 1e-4 * scale + {@link LoopReference#FLOOR} * global, scale =
     * this tensor's largest reference entry (float32 round-off scales with it; a per-tensor scale
     * keeps small tensors checked tightly); each reference must be non-trivial.
     */
    private static void assertClose(String what, NDArray expected, NDArray actual, double global) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        double scale = expected.abs().max().getFloat();
        assertTrue(scale > 0, what + ": reference gradient is identically zero, the test would prove nothing");
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-4 * scale + LoopReference.FLOOR * global, what + " entry " + i);
        }
    }
}
