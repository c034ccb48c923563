package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout: in training mode each activation is kept with probability 1 - rate and
 * scaled by 1/(1 - rate); outside training it is the identity. Row r's mask comes from row r's
 * own generator ({@link BatchRandomness#row}), so an example's masks do not depend on the other
 * examples of the batch, and the K draws of one example get independent masks.
 *
 * <p>Masks use 16-bit uniforms, four per 64-bit draw (the mask costs ~7k draws per CNN example
 * otherwise): the keep probability is 1 - round(rate 2^16) / 2^16, exact for rates that are
 * multiples of 2^-16 such as 0.5, and the scale uses that same probability, so the layer stays
 * unbiased.
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
        int threshold = (int) Math.round(rate * 65536);
        if (!w.training() || threshold == 0) {
            return x;
        }
        PerExample.checkRows(w, x, "dropout");
        int rows = Math.toIntExact(x.getShape().get(0));
        int perRow = Math.toIntExact(x.getShape().size() / rows);
        float scale = (float) (65536.0 / (65536 - threshold));
        float[] mask = new float[rows * perRow];
        BatchRandomness randomness = w.randomness();
        for (int r = 0; r < rows; r++) {
            RandomGenerator g = randomness.row(r);
            long bits = 0;
            for (int i = 0; i < perRow; i++) {
                if ((i & 3) == 0) {
                    bits = g.nextLong();
                }
                mask[r * perRow + i] = (bits & 0xFFFF) >= threshold ? scale : 0f;
                bits >>>= 16;
            }
        }
        // A native copy: autograd keeps the mask for the backward pass, and an array made from a Java
        // buffer can be freed under it (the hazard Torch.scalar describes; seen here as NaN gradients).
        return x.mul(Torch.copy(w.manager().create(mask, x.getShape())));
    }
}
