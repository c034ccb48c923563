package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The parameters one forward pass sees. Layers ask this view for their weights and never hold
 * arrays themselves, so the same network code runs in two modes:
 *
 * <ul>
 *   <li>shared: {@link #get} returns each parameter with its own shape (sampling, non-private
 *       training, the non-private baseline of benchmarks);
 *   <li>per-example: {@link #get} returns a leaf of shape (B, ...parameter shape), one copy per
 *       example (the expanded-weights technique), so that one backward pass yields every
 *       example's gradient.
 * </ul>
 *
 * <p>A third mode, factored ({@link Gradients#factored}), runs with shared weights and asks the
 * layers that are linear in their weights (Linear, Embedding, dense Conv2d, and the per-channel
 * affine of GroupNorm) to report their input and output through {@link #observe} and
 * {@link #observeAffine}; per-example gradients are then formed from those.
 *
 * <p>Activation layout, in every mode: the leading axis has {@code draws() * examples()} rows,
 * draw-major (row = k * B + b), so the K noise draws of example b are rows b, B + b, 2B + b, ...
 * In per-example mode this lets convolutions run as one grouped convolution over (K, B*C, H, W).
 */
public interface Weights {
    /** The parameter named {@code name}: its own shape when shared, (B, ...) when per-example. */
    NDArray get(String name);

    /** True when every example has its own copy of the weights. */
    boolean perExample();

    /** B: the number of distinct examples in the batch. */
    int examples();

    /** K: noise (or augmentation) draws per example; activations have K * B rows. */
    int draws();

    /** True in training mode (dropout active). */
    default boolean training() {
        return randomness() != null;
    }

    /**
     * True when the pass records what its linear layers see ({@link #observe}, factored mode):
     * layers must then run their observed form, never a fused kernel that hides the map.
     */
    default boolean observes() {
        return false;
    }

    /** The arithmetic of the pass's convolutions and matrix products (never AUTO). */
    default Precision precision() {
        return Precision.FP32;
    }

    /**
     * Where layers leave the per-example weight gradients they form themselves after the backward
     * pass; null outside per-example gradient passes.
     */
    default DeferredGradients deferred() {
        return null;
    }

    /** The pass's per-example randomness in training mode (dropout masks); null in evaluation mode. */
    BatchRandomness randomness();

    /** Manager for temporaries of this pass (closed by the caller after the step). */
    NDManager manager();

    /**
     * Called by layers that are linear in their weights with the input and output of that map
     * (before any activation). Factored mode records them and returns an output whose gradient
     * it can read; the other modes return {@code output} itself.
     */
    default NDArray observe(LinearMap map, NDArray input, NDArray output) {
        return output;
    }

    /**
     * Called by per-channel affine layers with their normalised input x_hat and their output
     * x_hat * scale + shift; like {@link #observe}, factored mode records them.
     */
    default NDArray observeAffine(ChannelAffineMap map, NDArray normalised, NDArray output) {
        return output;
    }
}
