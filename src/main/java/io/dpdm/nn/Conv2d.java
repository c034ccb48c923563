package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution, weight (out, in/groups, k, k) and optional bias (out).
 *
 * <p>Per-example mode (expanded weights): activations (K*B, C, H, W) are viewed as (K, B*C, H, W)
 * and convolved with the B weight copies stacked to (B*out, in/groups, k, k) using B*groups
 * groups, so example b's channels only meet example b's weights in all K draws.
 *
 * @param weight name of the kernel parameter
 * @param bias name of the bias parameter, or null for none
 * @param stride stride in both directions
 * @param padding zero padding on every side
 * @param groups channel groups (1 = dense convolution)
 */
public record Conv2d(String weight, String bias, int stride, int padding, int groups) implements Layer {
    public Conv2d {
        if (stride < 1 || padding < 0 || groups < 1) {
            throw new IllegalArgumentException("conv " + weight + ": stride/padding/groups out of range: " + stride + "/" + padding + "/" + groups);
        }
    }

    /** A k x k convolution with "same" padding (k/2), stride 1, bias, variance-scaling scale 1. */
    public static Conv2d create(ParameterStore s, String name, int in, int out, int kernel) {
        return create(s, name, in, out, kernel, 1, kernel / 2, 1, true, 1.0);
    }

    /**
     * Declares {@code name.weight} (and {@code name.bias}, zeros) in {@code s}.
     *
     * @param initScale DDPM variance-scaling scale; 0 = almost-zero (1e-10) initialisation
     */
    public static Conv2d create(ParameterStore s, String name, int in, int out, int kernel, int stride, int padding,
            int groups, boolean bias, double initScale) {
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("conv " + name + ": channels " + in + "->" + out + " not divisible by groups " + groups);
        }
        s.varianceScaling(name + ".weight", new Shape(out, in / groups, kernel, kernel), initScale);
        if (bias) {
            s.zeros(name + ".bias", new Shape(out));
        }
        return new Conv2d(name + ".weight", bias ? name + ".bias" : null, stride, padding, groups);
    }

    @Override
    public NDArray forward(Weights w, NDArray x) {
        NDArray k = w.get(weight);
        NDArray b = bias == null ? null : w.get(bias);
        if (!w.perExample()) {
            return conv(x, k, b, groups);
        }
        PerExample.checkRows(w, x, "conv " + weight);
        Shape xs = x.getShape();
        Shape ks = k.getShape();
        long n = w.examples();
        long out = ks.get(1);
        NDArray stacked = k.reshape(new Shape(n * out).addAll(ks.slice(2)));
        NDArray y = conv(x.reshape(w.draws(), n * xs.get(1), xs.get(2), xs.get(3)), stacked,
                b == null ? null : b.reshape(n * out), (int) n * groups);
        Shape ys = y.getShape();
        return y.reshape(xs.get(0), out, ys.get(2), ys.get(3));
    }

    private NDArray conv(NDArray x, NDArray k, NDArray b, int g) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, k, b, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), g).singletonOrThrow();
    }
}
