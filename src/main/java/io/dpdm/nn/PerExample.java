package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The two primitives every parametrised layer reduces to, written once for both modes:
 * a matrix product with a weight (in, out), and a per-channel scale/shift of axis 1.
 *
 * <p>Per-example mode relies on the draw-major layout (row = k*B + b): reshaping (K*B, ...) to
 * (K, B, ...) is free and puts example b's rows at index b of axis 1.
 */
final class PerExample {
    private PerExample() {}

    /** Number of rows the activations must have: K * B. */
    static void checkRows(Weights w, NDArray x, String layer) {
        long rows = x.getShape().get(0);
        if (rows != (long) w.examples() * w.draws()) {
            throw new IllegalArgumentException(layer + ": activations have " + rows + " rows, expected draws*examples = "
                    + w.draws() + "*" + w.examples());
        }
    }

    /**
     * x (N, ..., in) times weight (in, out) [+ bias (out)]. Per-example: weight (B, in, out), bias
     * (B, out); rows are regrouped per example, (B, K*R, in), and multiplied as one batched product.
     */
    static NDArray matMul(Weights w, NDArray x, NDArray weight, NDArray bias) {
        Shape s = x.getShape();
        long in = s.get(s.dimension() - 1);
        if (!w.perExample()) {
            long out = weight.getShape().get(1);
            NDArray y = Bfloat16.matMul(w, x.reshape(-1, in), weight);
            if (bias != null) {
                y = y.add(Bfloat16.like(y, bias));
            }
            return y.reshape(s.slice(0, s.dimension() - 1).add(out));
        }
        checkRows(w, x, "linear");
        long b = w.examples();
        long k = w.draws();
        long out = weight.getShape().get(2);
        long r = s.size() / (k * b * in);
        NDArray grouped = k == 1 ? x.reshape(b, r, in) : x.reshape(k, b, r, in).transpose(1, 0, 2, 3).reshape(b, k * r, in);
        NDArray y = Bfloat16.matMul(w, grouped, weight);
        if (bias != null) {
            y = y.add(Bfloat16.like(y, bias.reshape(b, 1, out)));
        }
        if (k > 1) {
            y = y.reshape(b, k, r, out).transpose(1, 0, 2, 3);
        }
        return y.reshape(s.slice(0, s.dimension() - 1).add(out));
    }

    /** x (N, C, ...) * scale + shift per channel; scale/shift (C), or (B, C) per example. */
    static NDArray channelAffine(Weights w, NDArray x, NDArray scale, NDArray shift) {
        Shape s = x.getShape();
        long c = s.get(1);
        long spatial = s.size() / (s.get(0) * c);
        if (!w.perExample()) {
            NDArray y = x.reshape(-1, c, spatial).mul(scale.reshape(1, c, 1)).add(shift.reshape(1, c, 1));
            return y.reshape(s);
        }
        checkRows(w, x, "channel affine");
        long b = w.examples();
        return channelShift(w, x.reshape(w.draws(), b, c, spatial).mul(scale.reshape(1, b, c, 1)).reshape(s), shift);
    }

    /** Per-example rows x (K*B, C, ...) plus each example's channel shift (B, C). */
    static NDArray channelShift(Weights w, NDArray x, NDArray shift) {
        Shape s = x.getShape();
        long b = w.examples();
        return x.reshape(w.draws(), b, s.get(1), -1).add(Bfloat16.like(x, shift.reshape(1, b, s.get(1), 1))).reshape(s);
    }
}
