package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpdm.data.ImageSplit;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.PerExampleGradients;
import io.dpdm.nn.Weights;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The gradients of one logical step's micro-batches under the denoising loss: loads the images
 * and labels, draws the diffusion randomness and runs the network with per-example (private) or
 * shared (non-private) weights. The diffusion randomness (label dropout, sigma, noise,
 * augmentation) of micro-batch m of step t comes from a generator seeded with (seed, t, m) only,
 * so a resumed run repeats it exactly. It is part of the computed function, not of the DP
 * mechanism, so it need not be secret.
 *
 * <p>Collects each example's loss value as a Java float: these are computed on private data and
 * are NOT covered by the DP guarantee (operator diagnostics only). One instance per step.
 */
final class DenoisingSource {
    private static final RandomGeneratorFactory<RandomGenerator> ALGORITHM =
            RandomGeneratorFactory.of("L64X128MixRandom");

    private final ParameterStore store;
    private final DenoisingLoss loss;
    private final ImageSplit data;
    private final boolean conditional;
    private final long seed;
    private final long step;
    private int microBatches;
    private double lossSum;
    private int examples;

    DenoisingSource(ParameterStore store, DenoisingLoss loss, ImageSplit data, long seed, long step) {
        this.store = store;
        this.loss = loss;
        this.data = data;
        this.conditional = loss.numClasses() > 0;
        this.seed = seed;
        this.step = step;
    }

    /** Per-example gradients of the micro-batch {@code indices} (expanded weights: U-Nets). */
    PerExampleGradients perExample(int[] indices, NDManager manager) {
        return PerExampleGradients.of(
                Gradients.perExample(manager, store, indices.length, loss.draws(), true, lossOf(indices, manager)));
    }

    /** The ordinary gradient of the micro-batch's summed loss. */
    Map<String, NDArray> batch(int[] indices, NDManager manager) {
        return Gradients.batch(manager, store, indices.length, loss.draws(), true, lossOf(indices, manager));
    }

    /** Mean per-example loss over the examples seen so far this step (NaN if none). */
    double meanLoss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    int examples() {
        return examples;
    }

    private Function<Weights, NDArray> lossOf(int[] indices, NDManager manager) {
        NDArray x0 = data.images(manager, indices);
        int[] labels = null;
        if (conditional) {
            labels = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                labels[i] = data.label(indices[i]);
            }
        }
        int[] y = labels;
        RandomGenerator rng = generator(seed, step, microBatches++);
        return w -> {
            NDArray perExample = loss.perExample(w, x0, y, rng);
            for (float v : perExample.toFloatArray()) {
                lossSum += v;
            }
            examples += indices.length;
            return perExample;
        };
    }

    /** The generator of micro-batch {@code micro} of step {@code step}: a function of the three numbers only. */
    static RandomGenerator generator(long seed, long step, int micro) {
        return ALGORITHM.create(ByteBuffer.allocate(24).putLong(seed).putLong(step).putLong(micro).array());
    }
}
