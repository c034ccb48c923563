package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * PyTorch's 2-D convolution with every group's input and output channels zero-padded to whole
 * blocks of {@value #BLOCK}, the output cropped back: the same function, run by oneDNN only on
 * full channel blocks.
 *
 * <p>Why: on an AMD EPYC Zen5 VM, oneDNN 3.7 (PyTorch 2.7.1) computed float32 convolutions
 * wrongly whenever a channel count did not fill its vector blocks: with all ISAs the input
 * gradient for any output-channel count not a multiple of 16 and the forward pass for input
 * counts above 16 that are not (errors of 10-100% of the result, varying from run to run);
 * capped at AVX, the forward pass for counts above 8 not a multiple of 8. Counts that fill whole
 * blocks of 16 were right with every ISA and shape tried. A wrong per-example gradient may carry
 * other examples' data, which clipping does not bound, so this is a privacy matter, not only
 * accuracy. Padding is exact (zero channels add zero terms), costs little (only a network's
 * first and last convolutions have odd channel counts), and is done on every CPU so that every
 * machine runs the path that {@link ConvolutionCheck} compares with float64 (at start, and in the tests).
 */
final class BlockedConvolution {
    static final int BLOCK = 16;

    private BlockedConvolution() {}

    /** conv2d of x (N, G*c, H, W) with k (G*o, c, kh, kw), bias (G*o) or null, in G groups. */
    static NDArray apply(NDArray x, NDArray k, NDArray b, int stride, int padding, int groups) {
        return padded(x, k, b, groups, (px, pk, pb) -> ai.djl.nn.convolutional.Conv2d.conv2d(px, pk, pb,
                new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), groups).singletonOrThrow());
    }

    /**
     * The same convolution with bfloat16 operands and result, the bias added by the kernel, with
     * autograd where the thread records gradients ({@link Bfloat16#conv}).
     */
    static NDArray bfloat16(NDArray x, NDArray k, NDArray b, int stride, int padding, int groups) {
        return padded(x, k, b, groups, (px, pk, pb) -> Bfloat16.conv(px, pk, pb, stride, padding, groups));
    }

    /** A convolution of padded operands (bias null or padded like the output channels). */
    private interface Kernel {
        NDArray apply(NDArray x, NDArray k, NDArray b);
    }

    /** {@code kernel} on channel counts padded to whole blocks, its output cut back to the real channels. */
    private static NDArray padded(NDArray x, NDArray k, NDArray b, int groups, Kernel kernel) {
        Shape ks = k.getShape();
        long in = ks.get(1);
        long out = ks.get(0) / groups;
        long paddedIn = roundUp(in);
        long paddedOut = roundUp(out);
        NDArray y = kernel.apply(pad(x, groups, 1, in, paddedIn),
                pad(pad(k, groups, 0, out, paddedOut), 1, 1, in, paddedIn),
                b == null ? null : pad(b, groups, 0, out, paddedOut));
        if (paddedOut == out) {
            return y;
        }
        Shape ys = y.getShape();
        return y.reshape(new Shape(ys.get(0), groups, paddedOut).addAll(ys.slice(2)))
                .get(new NDIndex(":, :, 0:{}", out))
                .reshape(new Shape(ys.get(0), groups * out).addAll(ys.slice(2)));
    }

    private static long roundUp(long channels) {
        return (channels + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** Zero-pads axis {@code axis} of {@code a}, made of {@code groups} runs of {@code from}, to runs of {@code to}. */
    private static NDArray pad(NDArray a, int groups, int axis, long from, long to) {
        if (from == to) {
            return a;
        }
        Shape s = a.getShape();
        Shape before = s.slice(0, axis);
        Shape after = s.slice(axis + 1);
        // zeros + concat, not NDArray.pad (constant_pad_nd): sampling was 3-4% slower with pad on M4
        NDArray zeros = Bfloat16.like(a, a.getManager().zeros(before.addAll(new Shape(groups, to - from)).addAll(after),
                Bfloat16.is(a) ? DataType.FLOAT32 : a.getDataType()));
        return a.reshape(before.addAll(new Shape(groups, from)).addAll(after)).concat(zeros, axis + 1)
                .reshape(before.add(groups * to).addAll(after));
    }
}
