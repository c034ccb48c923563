package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import io.dpdm.nn.Weights;
import io.dpdm.nn.LoopReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Per-example gradients of the U-Net (expanded weights, and the factored method: one backward
 * pass each) against the obviously correct reference: one ordinary backward pass per example.
 */
class UNetGradientTest {
    private static final int B = 3;
    private static final int K = 2;

    /**
     * Fixed draws for a B x K batch: clean images, noise and sigma per row (row = k*B + b), and
     * labels (the last one is "no class"). The loss of an example subset is DPDM's
     * (1/K) sum_k lambda(sigma) mean_pixels (D(x + sigma n) - x)^2, written out here independently.
     */
    private record Batch(UNetConfig config, int draws, float[][] images, float[][] noise, double[] sigma, int[] labels) {
        static Batch random(UNetConfig c, long seed, int draws) {
            SplittableRandom rng = new SplittableRandom(seed);
            int pixels = c.channels() * c.imageSize() * c.imageSize();
            float[][] x = new float[B][pixels];
            float[][] n = new float[draws * B][pixels];
            double[] sigma = new double[draws * B];
            for (float[] image : x) {
                for (int i = 0; i < pixels; i++) {
                    image[i] = (float) rng.nextDouble(-1, 1);
                }
            }
            for (int r = 0; r < draws * B; r++) {
                sigma[r] = Math.exp(rng.nextDouble(-3, 2));
                for (int i = 0; i < pixels; i++) {
                    n[r][i] = (float) rng.nextGaussian();
                }
            }
            int[] labels = c.conditional() ? new int[] {1, 0, c.numClasses()} : null;
            return new Batch(c, draws, x, n, sigma, labels);
        }

        NDArray loss(Weights w, Preconditioned model, int... examples) {
            NDManager m = w.manager();
            int e = examples.length;
            int pixels = images[0].length;
            float[] clean = new float[draws * e * pixels];
            float[] noisy = new float[draws * e * pixels];
            double[] rowSigma = new double[draws * e];
            int[] rowLabels = new int[draws * e];
            for (int k = 0; k < draws; k++) {
                for (int j = 0; j < e; j++) {
                    int row = k * e + j;
                    int source = k * B + examples[j];
                    rowSigma[row] = sigma[source];
                    rowLabels[row] = labels == null ? 0 : labels[examples[j]];
                    for (int i = 0; i < pixels; i++) {
                        clean[row * pixels + i] = images[examples[j]][i];
                        noisy[row * pixels + i] = (float) (images[examples[j]][i] + sigma[source] * noise[source][i]);
                    }
                }
            }
            Shape shape = new Shape(draws * e, config.channels(), config.imageSize(), config.imageSize());
            NDArray x0 = m.create(clean, shape);
            NDArray d = model.apply(w, m.create(noisy, shape), rowSigma, labels == null ? null : m.create(rowLabels));
            float[] lambda = new float[draws * e];
            for (int r = 0; r < lambda.length; r++) {
                lambda[r] = (float) model.preconditioning().lossWeight(rowSigma[r]);
            }
            return d.sub(x0).square().reshape(draws * e, -1).mean(new int[] {1}).mul(m.create(lambda)).reshape(draws, e).mean(new int[] {0});
        }
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        float scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            float tolerance = 2e-4f * scale + 1e-6f;
            assertTrue(Math.abs(e[i] - a[i]) <= tolerance,
                    what + "[" + i + "]: expected " + e[i] + ", got " + a[i] + " (tolerance " + tolerance + ")");
        }
    }

    private static void perExampleMatchesLoop(UNetConfig config) {
        perExampleMatchesLoop(config, K);
    }

    private static void perExampleMatchesLoop(UNetConfig config, int draws) {
        try (ParameterStore store = new ParameterStore(11); NDManager m = Torch.engine().newBaseManager()) {
            // Move the near-zero output layers away from 0 so every parameter gets a real gradient.
            store.asMap().forEach((name, p) -> p.addi(m.randomNormal(0, 0.05f, p.getShape(), p.getDataType())));
            Preconditioned model = new Preconditioned(UNet.create(store, config), new Preconditioning.Edm());
            Batch batch = Batch.random(config, 5, draws);
            int[] all = {0, 1, 2};
            Map<String, NDArray> perExample = Gradients.perExample(m, store, B, draws, null, w -> batch.loss(w, model, all));
            Map<String, NDArray> whole = Gradients.batch(m, store, B, draws, null, w -> batch.loss(w, model, all));
            List<Map<String, NDArray>> singles = new ArrayList<>();
            for (int b = 0; b < B; b++) {
                int example = b;
                Map<String, NDArray> alone = Gradients.batch(m, store, 1, draws, null, w -> batch.loss(w, model, example));
                for (String name : store.asMap().keySet()) {
                    assertClose(alone.get(name), perExample.get(name).get(b), name + " of example " + b);
                }
                singles.add(alone);
            }
            // What clipping reads (norms, weighted sums), by the factored method, against the same loop.
            LoopReference.assertMatches("factored " + config, Gradients.factored(m, store, B, draws, null,
                    w -> batch.loss(w, model, all)), singles);
            for (String name : store.asMap().keySet()) {
                assertClose(whole.get(name), perExample.get(name).sum(new int[] {0}), name + " summed");
            }
        }
    }

    @Test
    void conditionalPerExampleGradientsEqualABatchOfOneLoop() {
        perExampleMatchesLoop(UNetConfig.tiny(1, 3));
    }

    /** Patch size 2: 8x8 images as a 4x4 grid of 2x2 patches (4 channels), levels at 4 and 2. */
    @Test
    void patchedPerExampleGradientsEqualABatchOfOneLoop() {
        perExampleMatchesLoop(new UNetConfig(8, 1, 8, List.of(1, 2), 1, List.of(2), 0, 3, 2));
    }

    /**
     * The presets' shape, 16 base channels and one draw: their 3x3 convolutions form the weight
     * gradients after the backward pass (Conv2d's shared-forward route), inside the U-Net's scopes.
     */
    @Test
    void patchedOneDrawPerExampleGradientsEqualABatchOfOneLoop() {
        perExampleMatchesLoop(new UNetConfig(8, 1, 16, List.of(1, 2), 1, List.of(2), 0, 3, 2), 1);
    }

    /**
     * Freezing changes no trained parameter's gradient: with the first layers, a residual block (its
     * 3x3 convolutions on the shared-forward route, its 1x1 skip on the product route), the seam and
     * the head's kernel (not its bias) frozen, the pass returns exactly the other parameters, each
     * equal to the batch-of-one loop over the whole network; one draw and two.
     */
    @Test
    void frozenParametersLeaveTheOthersGradientsAsTheLoopGivesThem() {
        UNetConfig config = new UNetConfig(8, 1, 16, List.of(1, 2), 1, List.of(2), 0, 3, 2);
        List<String> frozen = List.of("classes", "input", "body2", "seam", "head.conv.weight");
        for (int draws = 1; draws <= 2; draws++) {
            try (ParameterStore store = new ParameterStore(13); NDManager m = Torch.engine().newBaseManager()) {
                store.asMap().forEach((name, p) -> p.addi(m.randomNormal(0, 0.05f, p.getShape(), p.getDataType())));
                Preconditioned model = new Preconditioned(UNet.create(store, config), new Preconditioning.Edm());
                Batch batch = Batch.random(config, 6, draws);
                int d = draws;
                List<Map<String, NDArray>> singles = new ArrayList<>();
                for (int b = 0; b < B; b++) {
                    int example = b;
                    singles.add(Gradients.batch(m, store, 1, d, null, w -> batch.loss(w, model, example)));
                }
                store.freeze(frozen);
                List<String> trained = store.asMap().keySet().stream()
                        .filter(n -> !n.startsWith("classes") && !n.startsWith("input.") && !n.startsWith("body2.")
                                && !n.startsWith("seam.") && !n.equals("head.conv.weight"))
                        .toList();
                assertTrue(trained.contains("head.conv.bias") && trained.contains("body0.conv0.weight"), trained.toString());
                int[] all = {0, 1, 2};
                Map<String, NDArray> perExample = Gradients.perExample(m, store, B, d, null, w -> batch.loss(w, model, all));
                Map<String, NDArray> whole = Gradients.batch(m, store, B, d, null, w -> batch.loss(w, model, all));
                assertEquals(trained, List.copyOf(perExample.keySet()), "per-example gradients of " + draws + " draws");
                assertEquals(trained, List.copyOf(whole.keySet()), "batch gradient of " + draws + " draws");
                for (String name : trained) {
                    for (int b = 0; b < B; b++) {
                        assertClose(singles.get(b).get(name), perExample.get(name).get(b), name + " of example " + b);
                    }
                    assertClose(singles.get(0).get(name).add(singles.get(1).get(name)).add(singles.get(2).get(name)),
                            whole.get(name), name + " summed");
                }
            }
        }
    }

    @Test
    void unconditionalColourPerExampleGradientsEqualABatchOfOneLoop() {
        perExampleMatchesLoop(UNetConfig.tiny(3, 0));
    }

    /** The package's DenoisingLoss (random draws from one generator): example b's row is d loss_b. */
    @Test
    void denoisingLossPerExampleRowsAreEachExamplesGradient() {
        UNetConfig config = UNetConfig.tiny(1, 3);
        try (ParameterStore store = new ParameterStore(12); NDManager m = Torch.engine().newBaseManager()) {
            store.asMap().forEach((name, p) -> p.addi(m.randomNormal(0, 0.05f, p.getShape(), p.getDataType())));
            Preconditioned model = new Preconditioned(UNet.create(store, config), new Preconditioning.Edm());
            DenoisingLoss loss = new DenoisingLoss(model, new NoiseDistribution.LogNormal(-1.2, 1.2), K, 3, 0.5,
                    Augmentation.NONE);
            NDArray x0 = m.randomUniform(-1, 1, new Shape(B, 1, 8, 8));
            int[] labels = {2, 0, 1};
            Map<String, NDArray> perExample = Gradients.perExample(m, store, B, K, null,
                    w -> loss.perExample(w, x0, labels, BatchRandomness.seeded(9, B, K)));
            for (int b = 0; b < B; b++) {
                float[] oneHot = new float[B];
                oneHot[b] = 1;
                NDArray mask = m.create(oneHot);
                Map<String, NDArray> only = Gradients.batch(m, store, B, K, null,
                        w -> loss.perExample(w, x0, labels, BatchRandomness.seeded(9, B, K)).mul(mask));
                for (String name : store.asMap().keySet()) {
                    assertClose(only.get(name), perExample.get(name).get(b), name + " of example " + b);
                }
            }
        }
    }
}
