package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpdm.nn.Weights;

/** A parameter view without parameters, for backbones that are closed-form functions. */
record TestWeights(int examples, int draws, NDManager manager) implements Weights {
    @Override
    public NDArray get(String name) {
        throw new UnsupportedOperationException("test backbones have no parameters");
    }

    @Override
    public boolean perExample() {
        return false;
    }

    @Override
    public io.dpdm.nn.BatchRandomness randomness() {
        return null; // closed-form backbones have no dropout
    }
}
