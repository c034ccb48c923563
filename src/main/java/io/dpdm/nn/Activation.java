package io.dpdm.nn;

import ai.djl.ndarray.NDArray;

/** Element-wise nonlinearities (no parameters, identical in both modes). */
public enum Activation implements Layer {
    /** x * sigmoid(x) (swish with beta 1), the DDPM++ nonlinearity. */
    SILU {
        @Override
        public NDArray forward(Weights w, NDArray x) {
            return ai.djl.nn.Activation.swish(x, 1f);
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
