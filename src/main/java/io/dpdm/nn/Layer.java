package io.dpdm.nn;

import ai.djl.ndarray.NDArray;

/**
 * A differentiable map from activations (K*B rows, draw-major) to activations, whose weights
 * (if any) come from the {@link Weights} view; implementations hold only parameter names and
 * hyperparameters, so one instance serves both the shared and the per-example mode.
 */
@FunctionalInterface
public interface Layer {
    NDArray forward(Weights w, NDArray x);
}
