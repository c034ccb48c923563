package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Per-example weight gradients that layers form themselves once the backward pass is done, from
 * what they kept of the forward pass and the output gradients autograd left them. A layer defers
 * a weight's gradient when one kernel of its own computes it faster than autograd would through
 * the expanded weights ({@link Conv2d}); such a weight must reach the loss through that layer
 * alone, so each name is deferred at most once per pass. Public only because {@link Weights}
 * names it; everything it does is internal to the package.
 */
public final class DeferredGradients {
    private final Map<String, Supplier<NDArray>> pending = new LinkedHashMap<>();

    DeferredGradients() {}

    /** Registers how to form {@code weight}'s per-example gradient (B, ...) after the backward pass. */
    void defer(String weight, Supplier<NDArray> gradient) {
        if (pending.putIfAbsent(weight, gradient) != null) {
            throw new IllegalStateException("the gradient of " + weight + " is deferred twice in one pass");
        }
    }

    /** The weights whose gradients are deferred, in the order their layers ran. */
    Set<String> names() {
        return pending.keySet();
    }

    /** Forms every deferred gradient; call once, after the backward pass. */
    Map<String, NDArray> complete() {
        Map<String, NDArray> gradients = new LinkedHashMap<>();
        pending.forEach((name, gradient) -> gradients.put(name, gradient.get()));
        return gradients;
    }
}
