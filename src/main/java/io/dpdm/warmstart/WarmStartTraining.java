package io.dpdm.warmstart;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.dp.Ema;
import io.dpdm.dp.Optimizer;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the denoiser on {@link ReleasedImages} alone, without DP: they are a DP release, so
 * training on them is post-processing (plain batch gradients, no clipping, no noise, no budget).
 * Step t draws {@code batchSize} released images with replacement and the loss's draws from
 * generators seeded by (seed, t): public randomness over public images, repeated exactly on resume.
 * This class holds no reference to any data set: it cannot read the private data.
 */
public final class WarmStartTraining {
    private final ParameterStore store;
    private final DenoisingLoss loss;
    private final ReleasedImages images;
    private final Optimizer optimizer;
    private final Ema ema;
    private final int batchSize;
    private final long seed;

    /**
     * @param loss the denoising loss to train (its augmentation applies to the released images)
     * @param optimizer over the store's parameters (its own state: the warm start's Adam)
     * @param ema the model's EMA, updated after every step
     * @param batchSize images per step
     * @param seed of the batches and of the loss's draws
     */
    public WarmStartTraining(ParameterStore store, DenoisingLoss loss, ReleasedImages images, Optimizer optimizer,
            Ema ema, int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("warm-start batch size must be >= 1, got " + batchSize);
        }
        this.store = store;
        this.loss = loss;
        this.images = images;
        this.optimizer = optimizer;
        this.ema = ema;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Warm-start step t: one Adam update on the mean loss of a batch of released images. */
    public void step(long t) {
        SplittableRandom random = new SplittableRandom(ByteBuffer.allocate(8).putInt((int) seed).putInt((int) t)
                .getLong(0));
        int size = images.imageSize();
        float[] x = new float[batchSize * size];
        int[] labels = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            int i = random.nextInt(images.count());
            System.arraycopy(images.images(), i * size, x, b * size, size);
            labels[b] = images.labels()[i];
        }
        BatchRandomness draws = BatchRandomness.seeded(random.nextLong(), batchSize, loss.draws());
        NDManager base = store.manager();
        try (NDScope scope = new NDScope();
                NDManager m = base.newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray x0 = m.create(x, new Shape(batchSize, images.channels(), images.height(), images.width()));
            int[] y = loss.numClasses() > 0 ? labels : null;
            Map<String, NDArray> grads = Gradients.batch(m, store, batchSize, loss.draws(), draws,
                    w -> loss.perExample(w, x0, y, draws));
            grads.values().forEach(g -> g.divi((float) batchSize));
            optimizer.update(grads);
            ema.update();
        }
    }
}
