package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
            check(s, 3, 2, net, new Shape(3, 5, 5));
        }
    }

    @Test
    void convStrideTwoPaddingGroupsThreeDraws() {
        try (ParameterStore s = new ParameterStore(2)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 4, 6, 3, 2, 1, 2, true, 1.0),
                    Conv2d.create(s, "d", 6, 2, 1, 1, 0, 1, false, 1.0));
            check(s, 2, 3, net, new Shape(4, 7, 7));
        }
    }

    @Test
    void bothConvRoutesWithStrideTwoAndPadding() {
        try (ParameterStore s = new ParameterStore(10)) {
            // 2*3*3 = 18 taps: im2col route; 5*3*3 = 45 taps: grouped-convolution route.
            Layer net = Sequential.of(Conv2d.create(s, "small", 2, 5, 3, 2, 1, 1, true, 1.0), Activation.SILU,
                    Conv2d.create(s, "large", 5, 4, 3, 2, 1, 1, true, 1.0));
            check(s, 2, 3, net, new Shape(2, 9, 9));
            check(s, 4, 1, net, new Shape(2, 8, 8));
        }
    }

    @Test
    void linearOnVectorsAndOnTokens() {
        try (ParameterStore s = new ParameterStore(3)) {
            Layer net = Sequential.of(Linear.create(s, "a", 5, 4), Activation.SILU, Linear.create(s, "b", 4, 3, false, 1.0));
            check(s, 3, 1, net, new Shape(5));
            check(s, 3, 2, net, new Shape(6, 5));
        }
    }

    @Test
    void groupNormWithAffine() {
        try (ParameterStore s = new ParameterStore(4)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 2, 8, 3), GroupNorm.create(s, "n", 8, 2, 1e-5f), Activation.SILU);
            check(s, 3, 2, net, new Shape(2, 4, 4));
        }
    }

    @Test
    void selfAttention() {
        try (ParameterStore s = new ParameterStore(5)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 2, 8, 1), SelfAttention.create(s, "att", 8));
            check(s, 2, 3, net, new Shape(2, 3, 3));
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
            compare(s, b, k, net, manager.create(rows));
        }
    }

    @Test
    void parameterFreeLayersAndEvaluationDropout() {
        try (ParameterStore s = new ParameterStore(7)) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 1, 4, 3), Activation.RELU, new Spatial.MaxPool2d(2),
                    new Dropout(0.5), Spatial.UPSAMPLE_NEAREST_2X, Conv2d.create(s, "d", 4, 4, 3), new Spatial.AvgPool2d(2),
                    Spatial.FLATTEN, Linear.create(s, "l", 4 * 3 * 3, 2));
            check(s, 3, 2, net, new Shape(1, 6, 6));
        }
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
                Map<String, NDArray> per = Gradients.perExample(step, s, b, k, false, w -> loss(w, net, x));
                Map<String, NDArray> whole = Gradients.batch(step, s, b, k, false, w -> loss(w, net, x));
                assertEquals(s.asMap().keySet(), per.keySet());
                double scale = largest(whole);
                for (String name : whole.keySet()) {
                    assertClose(name, whole.get(name), per.get(name).sum(new int[] {0}), scale);
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
                    Gradients.perExample(step, s, 2, 2, true, w -> loss(w, net, x));
                    Gradients.batch(step, s, 2, 2, true, w -> loss(w, net, x));
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
            Weights w = new PassWeights(Map.of(), false, 1, 1, true, step);
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

    private static void check(ParameterStore s, int b, int k, Layer net, Shape perRow) {
        compare(s, b, k, net, manager.randomNormal(new Shape(k * b).addAll(perRow)));
    }

    private static void compare(ParameterStore s, int b, int k, Layer net, NDArray x) {
        randomise(s);
        try (NDManager step = manager.newSubManager()) {
            Map<String, NDArray> per = Gradients.perExample(step, s, b, k, false, w -> loss(w, net, x));
            for (int e = 0; e < b; e++) {
                long[] rows = new long[k];
                for (int d = 0; d < k; d++) {
                    rows[d] = (long) d * b + e;
                }
                NDArray xe = x.get(step.create(rows));
                Map<String, NDArray> single = Gradients.batch(step, s, 1, k, false, w -> loss(w, net, xe));
                double scale = largest(single);
                for (String name : single.keySet()) {
                    assertEquals(new Shape(b).addAll(s.get(name).getShape()), per.get(name).getShape(), name);
                    assertClose(name + " example " + e, single.get(name), per.get(name).get(e), scale);
                }
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

    /** Largest absolute reference gradient entry: float32 round-off scales with it. */
    private static double largest(Map<String, NDArray> gradients) {
        double scale = 0;
        for (NDArray g : gradients.values()) {
            scale = Math.max(scale, g.abs().max().getFloat());
        }
        return scale;
    }

    /** Entry-wise |expected - actual| <= 1e-4 * scale; each reference must be non-trivial. */
    private static void assertClose(String what, NDArray expected, NDArray actual, double scale) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        assertTrue(expected.abs().max().getFloat() > 0, what + ": reference gradient is identically zero, the test would prove nothing");
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-4 * scale, what + " entry " + i);
        }
    }
}
