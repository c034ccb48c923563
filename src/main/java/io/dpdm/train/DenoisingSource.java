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
    private final int drawsPerPass;
    private double lossSum;
    private int examples;

    /** @param drawsPerPass at most this many of an example's K draws per pass (1 &lt;= D &lt;= K) */
    DenoisingSource(ParameterStore store, DenoisingLoss loss, ImageSplit data, int drawsPerPass) {
        if (drawsPerPass < 1 || drawsPerPass > loss.draws()) {
            throw new IllegalArgumentException("draws per pass must be in [1, " + loss.draws() + "], got "
                    + drawsPerPass);
        }
        this.store = store;
        this.loss = loss;
        this.data = data;
        this.conditional = loss.numClasses() > 0;
        this.drawsPerPass = drawsPerPass;
    }

    /** Per-example gradients of the micro-batch {@code indices} (expanded weights: U-Nets). */
    PerExampleGradients perExample(int[] indices, ExampleRandomness randomness, NDManager manager) {
        return PerExampleGradients.of(overDraws(indices, randomness, manager, true));
    }

    /** The ordinary gradient of the micro-batch's summed loss. */
    Map<String, NDArray> batch(int[] indices, ExampleRandomness randomness, NDManager manager) {
        return overDraws(indices, randomness, manager, false);
    }

    /**
     * The gradients of the K-draw loss, D draws per pass. An example's loss is the mean over its
     * draws, so its K-draw gradient is the sum over passes of (d / K) times the pass's gradient;
     * each draw keeps its own keyed generator and each pass restarts the example's shared one, so
     * the split changes only the float summation order. One pass holds all K when D = K.
     */
    private Map<String, NDArray> overDraws(int[] indices, ExampleRandomness randomness, NDManager manager,
            boolean perExample) {
        long[] ids = data.recordIds(indices);
        NDArray x0 = data.images(manager, indices); // loaded once for all passes
        int[] labels = labels(indices);
        int k = loss.draws();
        Map<String, NDArray> total = null;
        for (int first = 0; first < k; first += drawsPerPass) {
            int d = Math.min(drawsPerPass, k - first);
            float share = (float) d / k;
            BatchRandomness r = randomness.batch(ids, first, d);
            Function<Weights, NDArray> passLoss = lossOf(loss.withDraws(d), x0, labels, r, share, first == 0);
            Map<String, NDArray> g = perExample
                    ? Gradients.perExample(manager, store, indices.length, d, r, passLoss)
                    : Gradients.batch(manager, store, indices.length, d, r, passLoss);
            if (d == k) {
                return g;
            }
            if (total == null) {
                g.values().forEach(a -> a.muli(share));
                total = g;
            } else {
                total.forEach((name, sum) -> {
                    try (NDArray part = g.get(name)) {
                        sum.addi(part.muli(share));
                    }
                });
            }
        }
        return total;
    }

    /** Mean per-example loss over the examples seen so far this step (NaN if none). */
    synchronized double meanLoss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    synchronized int examples() {
        return examples;
    }

    /**
     * Lanes report their losses concurrently; a pass of d of K draws adds d/K of each example's
     * loss, and the first pass counts the examples.
     */
    private synchronized void record(float[] losses, float share, boolean counts) {
        for (float v : losses) {
            lossSum += share * v;
        }
        if (counts) {
            examples += losses.length;
        }
    }

    /** The examples' labels, or null for an unconditional loss. */
    private int[] labels(int[] indices) {
        if (!conditional) {
            return null;
        }
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            labels[i] = data.label(indices[i]);
        }
        return labels;
    }

    private Function<Weights, NDArray> lossOf(DenoisingLoss passLoss, NDArray x0, int[] labels,
            BatchRandomness randomness, float share, boolean counts) {
        return w -> {
            NDArray perExample = passLoss.perExample(w, x0, labels, randomness);
            record(perExample.toFloatArray(), share, counts);
            return perExample;
        };
    }
}
