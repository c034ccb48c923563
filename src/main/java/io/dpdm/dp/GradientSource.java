package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * Per-example gradients of one physical micro-batch (DP-SGD step 1). Implemented by the training
 * loop on top of the network's per-example gradient code.
 */
@FunctionalInterface
public interface GradientSource {
    /**
     * @param indices dataset indices of the micro-batch's examples (never empty)
     * @param manager where to create arrays; it is closed, and every array created during the
     *     call is released (NDScope), once the micro-batch has been clipped and summed
     * @return for every trained parameter, its per-example gradient of shape
     *     (indices.length, ...parameter shape), float32, example b belonging to indices[b]
     */
    Map<String, NDArray> perExample(int[] indices, NDManager manager);
}
