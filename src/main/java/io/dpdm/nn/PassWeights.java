package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** The {@link Weights} of one pass: arrays owned by that pass's manager. */
record PassWeights(
        Map<String, NDArray> arrays, boolean perExample, int examples, int draws, boolean training, NDManager manager)
        implements Weights {
    PassWeights {
        if (examples < 1 || draws < 1) {
            throw new IllegalArgumentException("examples and draws must be >= 1, got " + examples + " and " + draws);
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
