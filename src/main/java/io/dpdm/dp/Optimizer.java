package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * A first-order optimizer that updates a fixed set of parameters in place from an (already
 * private) gradient. Lifecycle: construct over the live parameter map, call {@link #update} once
 * per logical step, export/restore its state for checkpoints.
 */
public interface Optimizer {
    /** Applies one update; {@code grads} has the same names and shapes as the parameters. */
    void update(Map<String, NDArray> grads);

    /** Updates applied so far (Adam's bias-correction step count). */
    long steps();

    /** The live state arrays by name (empty if stateless); save them, do not modify them. */
    Map<String, NDArray> stateArrays();

    /** Restores the step count and copies saved arrays (same names and shapes) into the state. */
    void restore(long steps, Map<String, NDArray> arrays);
}
