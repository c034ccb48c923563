package io.dpdm.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.LoopReference;
import io.dpdm.nn.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The classifiers' losses and per-example gradients against independent truth: a loop of
 * single-example backward passes (CNN, every layer type of the classifiers), and the closed
 * forms of softmax regression (loss = logsumexp(z) - z_y, gradient = x (softmax(z) - e_y)^T).
 */
class ClassifierGradientTest {
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
    void cnnPerExampleGradientsEqualSingleExampleLoop() {
        ImageShape shape = new ImageShape(1, 28, 28);
        ImageSplit data = Blobs.split(shape, 3, 4, 1);
        int[] all = {0, 1, 2, 3};
        try (Classifier c = Classifier.create(ClassifierKind.CNN, shape, 3, 7);
                NDManager m = manager.newSubManager()) {
            NDArray x = data.images(m, all);
            NDArray y = data.labels(m, all);
            // dropout off: the reference passes must see the same network as the batched one
            Map<String, NDArray> perExample = Gradients.perExample(m, c.parameters(), 4, 1, null, w -> c.loss(w, x, y));
            List<Map<String, NDArray>> singles = new ArrayList<>();
            for (int b = 0; b < 4; b++) {
                int[] one = {b};
                NDArray xb = data.images(m, one);
                NDArray yb = data.labels(m, one);
                Map<String, NDArray> single = Gradients.batch(m, c.parameters(), 1, 1, null, w -> c.loss(w, xb, yb));
                singles.add(single);
                for (String name : single.keySet()) {
                    float[] want = single.get(name).toFloatArray();
                    float[] got = perExample.get(name).get(b).toFloatArray();
                    double scale = maxAbs(want);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], 1e-4 * scale + 1e-7, name + "[" + i + "] of example " + b);
                    }
                }
            }
            // what DP training uses at 28x28: conv1 (few taps) and conv2 (121 positions, by the
            // backward-weights kernel) materialised, conv3 (9 positions) and the dense layers by ghost norms
            LoopReference.assertMatches("cnn, factored", Gradients.factored(m, c.parameters(), 4, 1, null,
                    w -> c.loss(w, x, y)), singles);
            assertEquals(128, c.featureSize());
            assertEquals(new ai.djl.ndarray.types.Shape(4, 3), Gradients.forward(m, c.parameters(), 4, 1,
                    w -> c.logits(w, x)).getShape());
        }
    }

    @Test
    void logRegLossAndPerExampleGradientsMatchClosedForm() {
        ImageShape shape = new ImageShape(1, 3, 3);
        int classes = 3;
        ImageSplit data = Blobs.split(shape, classes, 5, 2);
        int[] all = {0, 1, 2, 3, 4};
        try (Classifier c = Classifier.create(ClassifierKind.LOGREG, shape, classes, 3);
                NDManager m = manager.newSubManager()) {
            NDArray x = data.images(m, all);
            NDArray y = data.labels(m, all);
            float[] weight = c.parameters().get("out.weight").toFloatArray(); // (9, 3)
            float[] bias = c.parameters().get("out.bias").toFloatArray();
            float[] images = x.toFloatArray();
            float[] losses = Gradients.forward(m, c.parameters(), 5, 1, w -> c.loss(w, x, y)).toFloatArray();
            Map<String, NDArray> g = Gradients.perExample(m, c.parameters(), 5, 1, BatchRandomness.seeded(0, 5, 1),
                    w -> c.loss(w, x, y));
            float[] gw = g.get("out.weight").toFloatArray();
            float[] gb = g.get("out.bias").toFloatArray();
            for (int b = 0; b < 5; b++) {
                double[] z = new double[classes];
                for (int k = 0; k < classes; k++) {
                    z[k] = bias[k];
                    for (int i = 0; i < 9; i++) {
                        z[k] += images[b * 9 + i] * weight[i * classes + k];
                    }
                }
                double max = Math.max(z[0], Math.max(z[1], z[2]));
                double sum = 0;
                for (double v : z) {
                    sum += Math.exp(v - max);
                }
                int label = data.label(b);
                assertEquals(max + Math.log(sum) - z[label], losses[b], 1e-5, "loss of example " + b);
                for (int k = 0; k < classes; k++) {
                    double delta = Math.exp(z[k] - max) / sum - (k == label ? 1 : 0);
                    assertEquals(delta, gb[b * classes + k], 1e-5, "bias gradient");
                    for (int i = 0; i < 9; i++) {
                        assertEquals(images[b * 9 + i] * delta, gw[(b * 9 + i) * classes + k], 1e-5, "weight gradient");
                    }
                }
            }
        }
    }

    @Test
    void shapesAndBadInput() {
        try (Classifier cnn = Classifier.create(ClassifierKind.CNN, new ImageShape(3, 32, 32), 5, 0);
                Classifier mlp = Classifier.create(ClassifierKind.MLP, new ImageShape(1, 28, 28), 10, 0)) {
            // 32x32 RGB: 30 -> 15 -> 13 -> 6 -> 4, so fc1 takes 128*4*4 inputs
            assertArrayEquals(new long[] {2048, 128}, cnn.parameters().get("fc1.weight").getShape().getShape());
            assertEquals(784L * 100 + 100 + 100 * 10 + 10, mlp.parameters().count());
        }
        try (Classifier paper = Classifier.create(ClassifierKind.CNN, new ImageShape(1, 28, 28), 10, 0)) {
            assertArrayEquals(new long[] {1152, 128}, paper.parameters().get("fc1.weight").getShape().getShape());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(ClassifierKind.CNN, new ImageShape(1, 17, 17), 10, 0));
        assertThrows(IllegalArgumentException.class, () -> ClassifierKind.parse("resnet"));
        assertThrows(IllegalArgumentException.class,
                () -> Classifier.create(ClassifierKind.MLP, new ImageShape(1, 4, 4), 1, 0));
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
