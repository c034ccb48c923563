package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * How a parametrised layer is linear in its weight, for factored per-example gradients: every
 * activation row n (of K*B) is turned into r "input rows" a (in values each) and the matching
 * "output rows" g (out values each), such that the layer computes y_row = a_row W (+ b) for each
 * of them. Then example b's weight gradient is the sum over its K*r rows of a^T g (Linear) or
 * g^T a (Conv2d, whose weight is stored output-first), and its bias gradient the sum of g.
 *
 * @param weight name of the weight parameter
 * @param bias name of the bias parameter, or null
 * @param outputFirst true when the weight is stored (out, in...) rather than (in, out)
 * @param inputRows layer input (N, ...) to input rows (N, r, in)
 * @param outputRows an array shaped like the layer output (N, ...) to output rows (N, r, out)
 * @param direct a kernel that forms every example's weight gradient without the input rows, for
 *     when they are materialised; null to form them as a product of the rows
 */
public record LinearMap(String weight, String bias, boolean outputFirst, UnaryOperator<NDArray> inputRows,
        UnaryOperator<NDArray> outputRows, DirectGradients direct) {
    /** Every example's weight gradient straight from the layer's input and output gradient. */
    public interface DirectGradients {
        /**
         * @param input the layer input (K*B, ...), draw-major
         * @param outputGradient dL/d output (K*B, ...)
         * @return (B, ...weight shape), float32
         */
        NDArray perExample(NDArray input, NDArray outputGradient, int examples, int draws);
    }
}
