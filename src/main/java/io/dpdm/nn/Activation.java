package io.dpdm.nn;

import ai.djl.ndarray.NDArray;

/** Element-wise nonlinearities (no parameters, identical in both modes). */
public enum Activation implements Layer {
    /**
     * x * sigmoid(x), the DDPM++ nonlinearity. Not DJL's swish(x, 1), which multiplies by a
     * Java-backed scalar on the gradient path (see {@link Torch#scalar}).
     */
    SILU {
        @Override
        public NDArray forward(Weights w, NDArray x) {
            return x.mul(ai.djl.nn.Activation.sigmoid(x));
        }
    },
    /** max(x, 0). */
    RELU {
        @Override
        public NDArray forward(Weights w, NDArray x) {
            return ai.djl.nn.Activation.relu(x);
        }
    }
}
