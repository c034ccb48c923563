package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * The {@link Weights} of one pass: arrays owned by that pass's manager.
 *
 * @param randomness the training randomness, or null for evaluation mode
 * @param precision the store's ({@link ParameterStore#precision})
 * @param deferred where layers leave weight gradients they form after the backward pass (per-example passes), or null
 */
record PassWeights(Map<String, NDArray> arrays, boolean perExample, int examples, int draws,
        BatchRandomness randomness, NDManager manager, Precision precision,
        DeferredGradients deferred) implements Weights {
    PassWeights {
        checkRandomness(examples, draws, randomness);
        if (deferred != null && !perExample) {
            throw new IllegalArgumentException("only per-example passes defer gradients");
        }
    }

    /** Shared by every pass: B, K >= 1 and randomness (when given) for the same B and K. */
    static void checkRandomness(int examples, int draws, BatchRandomness randomness) {
        if (examples < 1 || draws < 1) {
            throw new IllegalArgumentException("examples and draws must be >= 1, got " + examples + " and " + draws);
        }
        if (randomness != null && (randomness.examples() != examples || randomness.draws() != draws)) {
            throw new IllegalArgumentException("randomness is for " + randomness.examples() + " examples x "
                    + randomness.draws() + " draws, the pass has " + examples + " x " + draws);
        }
    }

    @Override
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return a;
    }
}
