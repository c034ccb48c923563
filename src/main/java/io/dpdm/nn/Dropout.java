package io.dpdm.nn;

import ai.djl.ndarray.NDArray;

/**
 * Inverted dropout: in training mode each activation is kept with probability 1 - rate and
 * scaled by 1/(1 - rate); outside training it is the identity. Masks are drawn per row, so
 * the K draws of one example get independent masks (as with independent forward passes).
 *
 * @param rate probability of zeroing an activation, in [0, 1)
 */
public record Dropout(double rate) implements Layer {
    public Dropout {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
    }

    @Override
    public NDArray forward(Weights w, NDArray x) {
        if (!w.training() || rate == 0) {
            return x;
        }
        NDArray keep = w.manager().randomUniform(0f, 1f, x.getShape()).gte((float) rate).toType(x.getDataType(), false);
        return x.mul(keep).mul(Torch.scalar(w.manager(), 1 / (1 - rate)));
    }
}
