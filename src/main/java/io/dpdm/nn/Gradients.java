package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The ways to run a network over a {@link ParameterStore}: per-example gradients (expanded
 * weights, or factored; one backward pass either way), the ordinary batch gradient, and
 * forward only.
 *
 * <p>Memory contract: each call runs in a fresh sub-manager of {@code into} and an NDScope, both
 * closed before returning; weight views, every array created during the pass (whatever
 * manager it landed in: results belong to the manager of their first operand, which may be a
 * long-lived input's) and the autograd graph die with them. So the loss function cannot keep
 * arrays it makes (e.g. the losses for logging): read values out (toFloatArray) instead. Results are attached
 * to {@code into}, which the caller owns and closes (typically one manager per training step).
 * Gradients are the buffers of leaves that exist only for that one call, so no later backward
 * pass can accumulate into them; forward results are copies.
 *
 * <p>Gradient recording is per thread ({@link Torch#recordGradients}): passes on different threads
 * are independent (they share only the read-only parameter store).
 */
public final class Gradients {
    private Gradients() {}

    /**
     * Per-example gradients of {@code loss}.
     *
     * @param into manager that will own the returned gradients
     * @param examples B, the number of distinct examples
     * @param draws K, rows per example (noise multiplicity); activations have K*B rows, row = k*B + b
     * @param training the pass's per-example randomness (dropout active), or null for evaluation mode
     * @param loss per-example losses, shape (B), each already averaged over its K draws
     * @return for every trained parameter (declaration order; {@link ParameterStore#trained}) the
     *     gradients of each example's loss, shape (B, ...parameter shape); row b is d loss_b / d theta
     */
    public static Map<String, NDArray> perExample(NDManager into, ParameterStore store, int examples, int draws,
            BatchRandomness training, Function<Weights, NDArray> loss) {
        return run(into, store, examples, draws, training, true, loss);
    }

    /**
     * The ordinary gradient of sum_b loss_b with one shared copy of the weights (non-private
     * training; the baseline of benchmarks). Same arguments as {@link #perExample}; returns
     * arrays of the trained parameters' shapes.
     */
    public static Map<String, NDArray> batch(NDManager into, ParameterStore store, int examples, int draws,
            BatchRandomness training, Function<Weights, NDArray> loss) {
        return run(into, store, examples, draws, training, false, loss);
    }

    /**
     * The same per-example gradients as {@link #perExample}, by the factored method: one pass
     * with shared weights that records every linear map's input and output gradient; norms and
     * clipped sums are formed from those (see {@link PerExampleGradients}). Cheaper than expanded
     * weights for networks of dense layers and small convolutions (the classifiers); only Linear
     * and dense Conv2d layers may hold parameters, anything else is refused, and every parameter
     * must be trained.
     */
    public static PerExampleGradients factored(NDManager into, ParameterStore store, int examples, int draws,
            BatchRandomness training, Function<Weights, NDArray> loss) {
        if (store.trained().size() != store.asMap().size()) {
            throw new IllegalArgumentException("factored per-example gradients need every parameter trained");
        }
        try (NDManager pass = into.newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            FactoredPass w = new FactoredPass(views(store, pass, 0, false), examples, draws, training, pass,
                    store.precision());
            try (Torch.GradientRecording recording = Torch.recordGradients()) {
                recording.backward(summed(loss.apply(w), examples));
            }
            Map<String, Shape> shapes = new LinkedHashMap<>();
            store.asMap().forEach((name, p) -> shapes.put(name, p.getShape()));
            return FactoredGradients.of(w.observations(), shapes, examples, draws, into);
        }
    }

    /**
     * Runs {@code network} with shared weights in evaluation mode without recording gradients
     * (sampling, evaluation); the result is copied into {@code into}, in float32 (a bfloat16
     * pass's activations may be bfloat16).
     */
    public static NDArray forward(NDManager into, ParameterStore store, int examples, int draws,
            Function<Weights, NDArray> network) {
        try (NDManager pass = into.newSubManager(); NDScope scope = new NDScope();
                Torch.GradMode off = Torch.withoutGradients()) {
            scope.suppressNotUsedWarning();
            NDArray out = network.apply(new PassWeights(views(store, pass, 0, false), false, examples, draws, null, pass,
                    store.precision(), null));
            NDArray kept = Bfloat16.is(out) ? Bfloat16.toFloat32(out) : Torch.copy(out);
            kept.attach(into);
            NDScope.unregister(kept);
            return kept;
        }
    }

    /**
     * Averages per-row losses (K*B, draw-major) over the K draws of each example, giving the
     * (B) losses that {@link #perExample} expects.
     */
    public static NDArray meanOverDraws(Weights w, NDArray perRow) {
        PerExample.checkRows(w, perRow, "meanOverDraws");
        if (perRow.getShape().dimension() != 1) {
            throw new IllegalArgumentException("meanOverDraws: expected one loss per row, got shape " + perRow.getShape());
        }
        return perRow.reshape(w.draws(), w.examples()).mean(new int[] {0});
    }

    private static Map<String, NDArray> run(NDManager into, ParameterStore store, int examples, int draws,
            BatchRandomness training, boolean perExample, Function<Weights, NDArray> loss) {
        try (NDManager pass = into.newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Map<String, NDArray> leaves = views(store, pass, perExample ? examples : 0, true);
            DeferredGradients deferred = perExample ? new DeferredGradients() : null;
            try (Torch.GradientRecording recording = Torch.recordGradients()) {
                recording.backward(summed(loss.apply(new PassWeights(leaves, perExample, examples, draws, training, pass,
                        store.precision(), deferred)), examples));
            }
            Map<String, NDArray> formed = deferred == null ? Map.of() : deferred.complete();
            // The gradient buffers are fresh (fresh leaves, one backward, or formed after it) and
            // outlive their leaves once re-attached, so they are handed over without a copy.
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            store.trained().keySet().forEach(name -> {
                NDArray leaf = leaves.get(name);
                NDArray g = formed.containsKey(name) ? formed.get(name) : leaf.getGradient();
                g.attach(into);
                NDScope.unregister(g);
                gradients.put(name, g);
            });
            return gradients;
        }
    }

    /** sum_b loss_b, after checking there is one loss per example. */
    private static NDArray summed(NDArray losses, int examples) {
        if (!losses.getShape().equals(new Shape(examples))) {
            throw new IllegalArgumentException("loss must return one value per example, shape (" + examples
                    + "), got " + losses.getShape());
        }
        return losses.sum();
    }

    /**
     * Pass-local views of the parameters: copies (shared), or B-fold broadcasts (expanded
     * weights, examples > 0); with {@code leaves}, those of trained parameters become leaves of
     * their own, and frozen ones record no gradient (so autograd skips what only they need). Never
     * the stored arrays, so gradients cannot accumulate in the store and temporaries land in
     * {@code pass}.
     */
    private static Map<String, NDArray> views(ParameterStore store, NDManager pass, int examples, boolean leaves) {
        Map<String, NDArray> views = new LinkedHashMap<>();
        store.asMap().forEach((name, p) -> {
            NDArray view = examples > 0 ? p.broadcast(new Shape(examples).addAll(p.getShape())) : Torch.copy(p);
            view.attach(pass);
            if (leaves && store.isTrained(name)) {
                view.setRequiresGradient(true);
            }
            views.put(name, view);
        });
        return views;
    }
}
