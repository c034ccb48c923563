package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Map;

/**
 * Exponential moving average of the weights, as in DPDM's reference code (inherited from
 * score_sde): before update n (counted from 1) the decay is min(decay, (1 + n) / (10 + n)), then
 * ema = d * ema + (1 - d) * p. The warm-up keeps early averages from being dominated by the
 * random initialisation. Post-processing of private weights, so it costs no privacy.
 */
public final class Ema {
    private final Map<String, NDArray> params;
    private final double decay;
    private final ParameterState average;
    private long updates;

    /** Starts the average at a copy of the current weights. */
    public Ema(Map<String, NDArray> params, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        this.params = params;
        this.decay = decay;
        this.average = new ParameterState("ema", params, true);
    }

    public void update() {
        updates++;
        double d = Math.min(decay, (1.0 + updates) / (10.0 + updates));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            params.forEach((name, p) -> average.get(name).muli((float) d).addi(p.mul((float) (1 - d))));
        }
    }

    /** The averaged weights (live arrays; use them for sampling). */
    public Map<String, NDArray> weights() {
        return average.buffers();
    }

    public long updates() {
        return updates;
    }

    public Map<String, NDArray> stateArrays() {
        return average.export();
    }

    public void restore(long updates, Map<String, NDArray> arrays) {
        if (updates < 0) {
            throw new IllegalArgumentException("EMA updates must be >= 0, got " + updates);
        }
        average.restore(arrays);
        this.updates = updates;
    }
}
