package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;

/**
 * 2-D convolution, weight (out, in/groups, k, k) and optional bias (out).
 *
 * <p>Per-example mode (expanded weights), exact routes chosen by measurement:
 * <ul>
 *   <li>grouped convolution: activations (K*B, C, H, W) are viewed as (K, B*C, H, W) and
 *       convolved with the B weight copies stacked to (B*out, in/groups, k, k) using B*groups
 *       groups, so example b's channels only meet example b's weights in all K draws;</li>
 *   <li>im2col + a matrix product batched over examples and broadcast over draws, for dense
 *       convolutions with few input taps (in*k*k &lt;= {@value #MAX_IM2COL_TAPS}, e.g. the first
 *       layer on 1-channel images): there a
 *       grouped convolution with one input channel per group is several times slower than the
 *       batch convolution (measured 8x for 1->32 channels at 28x28, B=64), while the k*k shifted
 *       copies of the input are cheap;</li>
 *   <li>the same batched product for every dense 1x1 convolution (the residual blocks' skips):
 *       PyTorch sends a 1x1 convolution of fewer than 16 rows on one thread (a lane, with K &lt; 16
 *       draws) past oneDNN to its reference kernel, which runs the B groups one by one (1,280 such
 *       calls per cpu-preset step; the product route took its DP/non-DP ratio from 1.41-1.48 to
 *       1.32-1.40).</li>
 *   <li>the ordinary convolution with the shared kernel, the weight gradients formed after the
 *       backward pass by one grouped backward-weights kernel, where the weights outnumber the
 *       activations ({@link #defersWeightGradient}: the cpu preset's 3x3 convolutions).</li>
 *   <li>the shared route alone for a frozen kernel ({@link ParameterStore#freeze}: its copies
 *       record no gradient), with the bias added per example.</li>
 * </ul>
 * Routing every convolution through im2col instead was measured 3x slower for the cpu preset.
 * Factored mode observes dense convolutions as a {@link LinearMap} over the same im2col columns.
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
        NDArray y = apply(w, x);
        if (FlopCount.active()) { // each output element is a dot product over (in / groups) x kh x kw taps
            Shape ks = w.get(weight).getShape();
            int d = ks.dimension();
            FlopCount.product(y.getShape(), ks.get(d - 3) * ks.get(d - 2) * ks.get(d - 1));
        }
        return y;
    }

    private NDArray apply(Weights w, NDArray x) {
        NDArray k = w.get(weight);
        NDArray b = bias == null ? null : w.get(bias);
        if (!w.perExample()) {
            return shared(w, x, k, b);
        }
        PerExample.checkRows(w, x, "conv " + weight);
        if (!k.hasGradient()) {
            // a frozen kernel: every example's copy holds the stored values, so the shared route serves them all
            NDArray y = shared(w, x, k.get(0), null);
            return b == null ? y : PerExample.channelShift(w, y, b);
        }
        Shape xs = x.getShape();
        Shape ks = k.getShape();
        if (byProduct(ks.slice(1))) {
            return product(w, xs, columns(x, (int) ks.get(3), (int) ks.get(4)), k, b);
        }
        if (groups == 1 && w.deferred() != null && defersWeightGradient(ks.slice(1), xs, w.draws())) {
            return sharedForward(w, x, k, b);
        }
        long n = w.examples();
        long out = ks.get(1);
        NDArray stacked = k.reshape(new Shape(n * out).addAll(ks.slice(2)));
        NDArray y = conv(w, x.reshape(w.draws(), n * xs.get(1), xs.get(2), xs.get(3)), stacked,
                b == null ? null : b.reshape(n * out), (int) n * groups);
        Shape ys = y.getShape();
        return y.reshape(xs.get(0), out, ys.get(2), ys.get(3));
    }

    /** The convolution with one kernel (out, in/groups, kh, kw) for every row; factored mode observes it. */
    private NDArray shared(Weights w, NDArray x, NDArray k, NDArray b) {
        int kh = (int) k.getShape().get(2);
        int kw = (int) k.getShape().get(3);
        if (byProduct(k.getShape())) {
            // factored mode observes the product's own columns
            NDArray cols = columns(x, kh, kw);
            return w.observe(map(c -> c, null), cols, product(w, x.getShape(), cols, k, b));
        }
        NDArray y = conv(w, x, k, b, groups);
        // grouped convolutions are not observed: factored mode then refuses their weights
        return groups == 1 ? w.observe(map(in -> columns(in, kh, kw), backwardWeights(k.getShape())), x, y) : y;
    }

    /**
     * True when a per-example gradient pass runs this dense convolution as {@link #sharedForward}:
     * where each example's weights are at least half its activations (K * in * H * W), the
     * grouped route spends much of its time converting the B weight copies to and from oneDNN's
     * blocked layout (in the cpu preset's pass 21% of oneDNN's time), and channel counts that fill
     * blocks of 16 need no padding for the one kernel that replaces it. The cpu preset's 3x3
     * convolutions all qualify (ratios 0.73 to 5.9). Measured on an Intel Xeon (AMX) in alternating
     * pairs: the cpu preset's step ran 1.06-1.08x the DP draws/s of the grouped route (1.04-1.15x
     * with only its 7x7 convolutions, ratio at least 2). Only with one draw per example: DPDM's
     * network at 64 examples x 4 draws (its 7x7 and 14x14 convolutions qualify by size) ran 3-10%
     * slower in 5-9% more memory.
     *
     * @param kernel (out, in, kh, kw)
     * @param input (K*B, in, H, W)
     */
    static boolean defersWeightGradient(Shape kernel, Shape input, int draws) {
        long in = kernel.get(1);
        return draws == 1 && fillsBlocks(kernel) && 2 * kernel.size() >= draws * in * input.get(2) * input.get(3);
    }

    /**
     * Per-example convolution whose weight gradients are formed after the backward pass
     * ({@link ConvWeightGradient}). Every example's copy holds the stored values, so the forward
     * pass is the ordinary convolution with the shared kernel, detached from the copies; a zero
     * probe added to its output catches dL/dy, and the per-example biases are added as in the
     * other routes.
     */
    private NDArray sharedForward(Weights w, NDArray x, NDArray k, NDArray b) {
        NDArray y = conv(w, x, k.get(0).stopGradient(), null, 1);
        NDArray probe = Bfloat16.like(y, w.manager().zeros(y.getShape()));
        probe.setRequiresGradient(true);
        y = y.add(probe);
        NDArray input = x.stopGradient();
        input.attach(w.manager());
        // read after the backward pass: they must outlive any NDScope the network closes before it
        NDScope.unregister(probe, input);
        Shape kernel = k.getShape().slice(1);
        w.deferred().defer(weight, () -> ConvWeightGradient.perExample(probe.getGradient(), input, kernel,
                w.examples(), w.draws(), stride, padding, w.precision()));
        return b == null ? y : PerExample.channelShift(w, y, b);
    }

    /**
     * Convolution as the product (1, B, out, in*k*k) @ (K, B, in*k*k, P), broadcast over the K
     * draws, where the columns are the k*k strided shifts of the padded input (P output positions
     * per row); a shared-weight pass is the case B = 1 over all its rows. Draw-major rows make both
     * the columns and the result plain views, with no transposes: with one example of 32 draws in
     * a lane, a 32 -> 64 skip convolution at 28x28 took 1.4 ms this way against 4.5 ms as one
     * (64 x 32) @ (32 x 32*784) product (one thread, AMD EPYC Zen4), before the transposes that
     * product needed. In shared passes it serves kernels of few input taps, which the oneDNN route
     * pads to a block of 16 channels ({@link BlockedConvolution}), 16 times the work for one: the
     * U-Net's 1 -> 1 seam at 28x28 was 13% of the presets' sampling convolution time, the CNN
     * classifier's 1 -> 32 first layer half of its FLOPs. It also serves every 1x1 kernel (the
     * residual blocks' skips): PyTorch 2.7.1 takes a contiguous (out, in, 1, 1) kernel for a
     * channels-last one (the strides of its 1x1 axes are ambiguous), so oneDNN copied each skip's
     * input to NHWC and returned an NHWC result into the NCHW residual stream. One-thread
     * sampling profiles (Intel Xeon with AMX): DPDM's network in bf16 spent 7% less operator time
     * (convolutions -343 ms, copies -163, products and bias additions +249, of 3,862 ms), the
     * presets' network in fp32 17% less.
     *
     * @param xs the input's shape (K*B, in, H, W)
     * @param cols its columns (K*B, in*k*k, P) ({@link #columns})
     */
    private NDArray product(Weights w, Shape xs, NDArray cols, NDArray k, NDArray b) {
        Shape ks = k.getShape(); // (B, out, in, kh, kw) per example, (out, in, kh, kw) shared (also a frozen one's)
        int d = ks.dimension();
        long n = d == 5 ? ks.get(0) : 1;
        long out = ks.get(d - 4);
        long taps = cols.getShape().get(1);
        NDArray y = Bfloat16.matMul(w, k.reshape(1, n, out, taps), cols.reshape(-1, n, taps, cols.getShape().get(2)));
        if (b != null) {
            y = y.add(Bfloat16.like(y, b.reshape(1, n, out, 1)));
        }
        Shape grid = outputGrid(xs, (int) ks.get(d - 2), (int) ks.get(d - 1));
        return y.reshape(new Shape(xs.get(0), out).addAll(grid));
    }

    /** True for a dense kernel (out, in, kh, kw) that runs as {@link #product}: few taps or 1x1. */
    private boolean byProduct(Shape kernel) {
        return groups == 1 && (fewTaps(kernel) || pointwise(kernel));
    }

    /** True when a kernel's (out, in, ...) channel counts fill whole blocks of {@value BlockedConvolution#BLOCK}. */
    private static boolean fillsBlocks(Shape kernel) {
        return kernel.get(0) % BlockedConvolution.BLOCK == 0 && kernel.get(1) % BlockedConvolution.BLOCK == 0;
    }

    /** True for a 1x1 kernel (out, in, 1, 1). */
    private static boolean pointwise(Shape kernel) {
        return kernel.get(2) == 1 && kernel.get(3) == 1;
    }

    /** True for a kernel (out, in, kh, kw) of at most {@value #MAX_IM2COL_TAPS} input taps. */
    private static boolean fewTaps(Shape kernel) {
        return kernel.get(1) * kernel.get(2) * kernel.get(3) <= MAX_IM2COL_TAPS;
    }

    /**
     * The layer as factored mode sees it: input rows are the im2col columns of every output
     * position (taps ordered like the weight's (in, kh, kw)), output rows the channels there.
     *
     * @param columns the observed input (N, ...) to its columns (N, taps, P)
     * @param direct how materialised gradients are formed without the columns, or null
     */
    private LinearMap map(UnaryOperator<NDArray> columns, LinearMap.DirectGradients direct) {
        return new LinearMap(weight, bias, true, x -> columns.apply(x).transpose(0, 2, 1),
                g -> g.reshape(g.getShape().get(0), g.getShape().get(1), -1).transpose(0, 2, 1), direct);
    }

    /**
     * Factored mode's materialised gradients of a dense convolution by the grouped backward-weights
     * kernel ({@link ConvWeightGradient}), which needs no im2col columns: for the CNN classifier's
     * 32 -> 64 layer at 13x13 it took 2.0 ms against 1.3-1.6 ms for the columns plus 1.2-1.3 ms for
     * their batched product (32 examples, one thread, Intel Xeon with AMX). Only on whole blocks of
     * 16 channels, the layout {@link ConvolutionCheck} verifies it on; null otherwise.
     *
     * @param kernel (out, in, kh, kw)
     */
    private LinearMap.DirectGradients backwardWeights(Shape kernel) {
        if (!fillsBlocks(kernel)) {
            return null;
        }
        // float32, as the product route was: a factored pass continues in float32 after each observed layer
        return (x, dy, examples, draws) -> ConvWeightGradient.perExample(dy, x, kernel, examples, draws, stride, padding,
                Precision.FP32);
    }

    /** im2col: (N, C, H, W) to (N, C*kh*kw, P), the kh*kw strided shifts of the padded input. */
    private NDArray columns(NDArray x, int kh, int kw) {
        Shape xs = x.getShape();
        Shape grid = outputGrid(xs, kh, kw);
        long oh = grid.get(0);
        long ow = grid.get(1);
        if (kh == 1 && kw == 1 && stride == 1 && padding == 0) { // the columns are the input itself
            return x.reshape(xs.get(0), xs.get(1), oh * ow);
        }
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), 0);
        NDList shifts = new NDList(kh * kw);
        for (int u = 0; u < kh; u++) {
            for (int v = 0; v < kw; v++) {
                shifts.add(padded.get(new NDIndex(":, :, {}:{}:{}, {}:{}:{}", u, u + (oh - 1) * stride + 1, stride, v,
                        v + (ow - 1) * stride + 1, stride)));
            }
        }
        return NDArrays.stack(shifts, 2).reshape(xs.get(0), xs.get(1) * kh * kw, oh * ow);
    }

    /** Output height and width for an input (N, C, H, W). */
    private Shape outputGrid(Shape xs, int kh, int kw) {
        return new Shape((xs.get(2) + 2L * padding - kh) / stride + 1, (xs.get(3) + 2L * padding - kw) / stride + 1);
    }

    private NDArray conv(Weights w, NDArray x, NDArray k, NDArray b, int g) {
        return w.precision() == Precision.BF16 ? BlockedConvolution.bfloat16(x, k, b, stride, padding, g)
                : BlockedConvolution.apply(x, k, b, stride, padding, g);
    }
}
