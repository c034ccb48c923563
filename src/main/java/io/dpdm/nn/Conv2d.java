package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution, weight (out, in/groups, k, k) and optional bias (out).
 *
 * <p>Per-example mode (expanded weights), two exact routes chosen by measurement:
 * <ul>
 *   <li>grouped convolution: activations (K*B, C, H, W) are viewed as (K, B*C, H, W) and
 *       convolved with the B weight copies stacked to (B*out, in/groups, k, k) using B*groups
 *       groups, so example b's channels only meet example b's weights in all K draws;</li>
 *   <li>im2col + batched matrix product, for dense convolutions with few input taps
 *       (in*k*k <= {@value #MAX_IM2COL_TAPS}, e.g. the first layer on 1-channel images): there a
 *       grouped convolution with one input channel per group is several times slower than the
 *       batch convolution (measured 8x for 1->32 channels at 28x28, B=64), while the k*k shifted
 *       copies of the input are cheap.</li>
 * </ul>
 *
 * @param weight name of the kernel parameter
 * @param bias name of the bias parameter, or null for none
 * @param stride stride in both directions
 * @param padding zero padding on every side
 * @param groups channel groups (1 = dense convolution)
 */
public record Conv2d(String weight, String bias, int stride, int padding, int groups) implements Layer {
    static final int MAX_IM2COL_TAPS = 27;

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
        if (groups == 1 && ks.size() / (ks.get(0) * ks.get(1)) <= MAX_IM2COL_TAPS) {
            return im2col(w, x, k, b);
        }
        long n = w.examples();
        long out = ks.get(1);
        NDArray stacked = k.reshape(new Shape(n * out).addAll(ks.slice(2)));
        NDArray y = conv(x.reshape(w.draws(), n * xs.get(1), xs.get(2), xs.get(3)), stacked,
                b == null ? null : b.reshape(n * out), (int) n * groups);
        Shape ys = y.getShape();
        return y.reshape(xs.get(0), out, ys.get(2), ys.get(3));
    }

    /**
     * Per-example convolution as (B, out, in*k*k) x (B, in*k*k, K*P) batched products, where the
     * columns are the k*k strided shifts of the padded input (P output positions per row).
     */
    private NDArray im2col(Weights w, NDArray x, NDArray k, NDArray b) {
        Shape xs = x.getShape();
        Shape ks = k.getShape(); // (B, out, in, kh, kw)
        long n = w.examples();
        long draws = w.draws();
        long out = ks.get(1);
        int kh = (int) ks.get(3);
        int kw = (int) ks.get(4);
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), 0);
        long oh = (xs.get(2) + 2L * padding - kh) / stride + 1;
        long ow = (xs.get(3) + 2L * padding - kw) / stride + 1;
        ai.djl.ndarray.NDList shifts = new ai.djl.ndarray.NDList(kh * kw);
        for (int u = 0; u < kh; u++) {
            for (int v = 0; v < kw; v++) {
                shifts.add(padded.get(new ai.djl.ndarray.index.NDIndex(":, :, {}:{}:{}, {}:{}:{}", u, u + (oh - 1) * stride + 1,
                        stride, v, v + (ow - 1) * stride + 1, stride)));
            }
        }
        long taps = xs.get(1) * kh * kw;
        long positions = oh * ow;
        NDArray cols = ai.djl.ndarray.NDArrays.stack(shifts, 2).reshape(draws, n, taps, positions);
        cols = draws == 1 ? cols.reshape(n, taps, positions) : cols.transpose(1, 2, 0, 3).reshape(n, taps, draws * positions);
        NDArray y = k.reshape(n, out, taps).batchMatMul(cols); // (B, out, K*P)
        if (b != null) {
            y = y.add(b.reshape(n, out, 1));
        }
        if (draws > 1) {
            y = y.reshape(n, out, draws, positions).transpose(2, 0, 1, 3);
        }
        return y.reshape(xs.get(0), out, oh, ow);
    }

    private NDArray conv(NDArray x, NDArray k, NDArray b, int g) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, k, b, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), g).singletonOrThrow();
    }
}
