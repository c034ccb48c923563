package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tiny U-Net learns: non-private Adam on the diffusion loss lowers the loss of a fixed batch. */
class UNetTrainingTest {
    private static final int B = 8;
    private static final int K = 4;
    private static final int STEPS = 30;

    @Test
    void adamStepsLowerTheDiffusionLossOnAFixedBatch() {
        UNetConfig config = UNetConfig.tiny(1, 2);
        try (ParameterStore store = new ParameterStore(21); NDManager m = Torch.engine().newBaseManager()) {
            Preconditioned model = new Preconditioned(UNet.create(store, config), new Preconditioning.Edm());
            DenoisingLoss loss = new DenoisingLoss(model, new NoiseDistribution.LogNormal(-1.2, 1.2), K, 2, 0,
                    Augmentation.NONE);
            // Two classes of structured images: horizontal and vertical stripes in [-1, 1].
            float[] pixels = new float[B * 64];
            int[] labels = new int[B];
            for (int b = 0; b < B; b++) {
                labels[b] = b % 2;
                for (int i = 0; i < 64; i++) {
                    int stripe = labels[b] == 0 ? i / 8 : i % 8;
                    pixels[b * 64 + i] = (stripe + b / 2) % 2 == 0 ? 0.9f : -0.9f;
                }
            }
            NDArray x0 = m.create(pixels, new Shape(B, 1, 8, 8));
            // Evaluation uses the same sigma and noise draws before and after training.
            double before = evaluate(m, store, loss, x0, labels);
            Adam adam = new Adam(store, 2e-3);
            for (int step = 0; step < STEPS; step++) {
                try (NDManager stepManager = m.newSubManager()) {
                    long seed = step;
                    adam.update(Gradients.batch(stepManager, store, B, K, null,
                            w -> loss.perExample(w, x0, labels, BatchRandomness.seeded(seed, B, K))));
                }
            }
            double after = evaluate(m, store, loss, x0, labels);
            System.out.printf("tiny U-Net diffusion loss %.4f -> %.4f after %d Adam steps%n", before, after, STEPS);
            assertTrue(after < 0.8 * before, "loss " + before + " -> " + after + " after " + STEPS + " Adam steps");
        }
    }

    private static double evaluate(NDManager m, ParameterStore store, DenoisingLoss loss, NDArray x0, int[] labels) {
        try (NDManager eval = m.newSubManager()) {
            return Gradients.forward(eval, store, B, K, w -> loss.perExample(w, x0, labels, BatchRandomness.seeded(-1, B, K)))
                    .mean().getFloat();
        }
    }

    /** Plain Adam (Kingma and Ba 2015) on the store's arrays in place; state lives with the store. */
    private static final class Adam {
        private final ParameterStore store;
        private final double lr;
        private final Map<String, NDArray> first = new HashMap<>();
        private final Map<String, NDArray> second = new HashMap<>();
        private int t;

        Adam(ParameterStore store, double lr) {
            this.store = store;
            this.lr = lr;
            store.asMap().forEach((name, p) -> {
                first.put(name, store.manager().zeros(p.getShape()));
                second.put(name, store.manager().zeros(p.getShape()));
            });
        }

        void update(Map<String, NDArray> gradients) {
            t++;
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            gradients.forEach((name, g) -> {
                // Temporaries are made from g, so they belong to the step's manager, not the store's.
                NDArray m1 = first.get(name).muli(0.9f).addi(g.mul(0.1f));
                NDArray m2 = second.get(name).muli(0.999f).addi(g.square().mul(0.001f));
                NDArray denominator = g.zerosLike().add(m2).div(c2).sqrt().add(1e-8f);
                store.get(name).subi(g.zerosLike().add(m1).div(denominator).mul((float) (lr / c1)));
            });
        }
    }
}
