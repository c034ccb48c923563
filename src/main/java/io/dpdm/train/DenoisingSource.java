package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpdm.data.ImageSplit;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.dp.ExampleRandomness;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.PerExampleGradients;
import io.dpdm.nn.Weights;
import java.util.Map;
import java.util.function.Function;

/**
 * The gradients of one logical step's micro-batches under the denoising loss: loads the images
 * and labels and runs the network with per-example (private) or shared (non-private) weights.
 * The diffusion randomness (label dropout, sigma, noise, augmentation, dropout) of every example
 * comes from the step's {@link ExampleRandomness}, keyed by the record's content id: secret with
 * the run's keys, independent of the example's position and of the micro-batch, and repeated
 * exactly by a resumed run.
 *
 * <p>Collects each example's loss value as a Java float: these are computed on private data and
 * are NOT covered by the DP guarantee (operator diagnostics only). One instance per step; thread
 * safe (lanes call it concurrently).
 */
final class DenoisingSource {
    private final ParameterStore store;
    private final DenoisingLoss loss;
    private final ImageSplit data;
    private final boolean conditional;
    private double lossSum;
    private int examples;

    DenoisingSource(ParameterStore store, DenoisingLoss loss, ImageSplit data) {
        this.store = store;
        this.loss = loss;
        this.data = data;
        this.conditional = loss.numClasses() > 0;
    }

    /** Per-example gradients of the micro-batch {@code indices} (expanded weights: U-Nets). */
    PerExampleGradients perExample(int[] indices, ExampleRandomness randomness, NDManager manager) {
        BatchRandomness r = randomness.batch(data.recordIds(indices), loss.draws());
        return PerExampleGradients.of(
                Gradients.perExample(manager, store, indices.length, loss.draws(), r, lossOf(indices, r, manager)));
    }

    /** The ordinary gradient of the micro-batch's summed loss. */
    Map<String, NDArray> batch(int[] indices, ExampleRandomness randomness, NDManager manager) {
        BatchRandomness r = randomness.batch(data.recordIds(indices), loss.draws());
        return Gradients.batch(manager, store, indices.length, loss.draws(), r, lossOf(indices, r, manager));
    }

    /** Mean per-example loss over the examples seen so far this step (NaN if none). */
    synchronized double meanLoss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    synchronized int examples() {
        return examples;
    }

    /** Lanes report their losses concurrently. */
    private synchronized void record(float[] losses) {
        for (float v : losses) {
            lossSum += v;
        }
        examples += losses.length;
    }

    private Function<Weights, NDArray> lossOf(int[] indices, BatchRandomness randomness, NDManager manager) {
        NDArray x0 = data.images(manager, indices);
        int[] labels = null;
        if (conditional) {
            labels = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                labels[i] = data.label(indices[i]);
            }
        }
        int[] y = labels;
        return w -> {
            NDArray perExample = loss.perExample(w, x0, y, randomness);
            record(perExample.toFloatArray());
            return perExample;
        };
    }
}
