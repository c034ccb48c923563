package io.dpdm.dp;

import ai.djl.ndarray.NDManager;
import io.dpdm.nn.PerExampleGradients;

/**
 * Per-example gradients of one physical micro-batch (DP-SGD step 1). Implemented by the training
 * loop on top of the network's per-example gradient code. Called concurrently from
 * {@link io.dpdm.nn.Lanes} workers for disjoint parts of a micro-batch, so implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface GradientSource {
    /**
     * @param indices dataset indices of the micro-batch's examples (never empty)
     * @param randomness the step's per-example randomness: every draw that enters example b's
     *     gradient must come from it, keyed by the record's identity (never by b or the micro-batch)
     * @param manager where to create arrays; it is closed, and every array created during the
     *     call is released (NDScope), once the micro-batch has been clipped and summed
     * @return the per-example gradients of every trained parameter, float32, example b
     *     belonging to indices[b]
     */
    PerExampleGradients perExample(int[] indices, ExampleRandomness randomness, NDManager manager);
}
