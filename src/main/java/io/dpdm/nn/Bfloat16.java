package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Convolutions and matrix products with bfloat16 operands: both are rounded to bfloat16 (8
 * significant bits) and multiplied by oneDNN's bfloat16 kernels (AVX512-BF16 or AMX) with float32
 * accumulation. Their results stay bfloat16, biases added by the kernel, so the layers between
 * them (group norm, SiLU, additions, pooling) read and write half the bytes and no cast follows
 * each product. Float32 terms that join such an activation (embeddings, per-example biases) are
 * cast to it ({@link #like}); the network's output meets the float32 loss by PyTorch's type
 * promotion (EDM's c_out scaling).
 *
 * <p>DJL 0.34 has no bfloat16 type: it holds such arrays (their type reads UNKNOWN) and runs
 * PyTorch's operators on them, but converting one through DJL aborts the process. So every cast
 * and product is a one-method TorchScript module, run with autograd as the thread has it: in a
 * pass with gradients they flow back through the modules in bfloat16, and the casts of the
 * float32 parameters return theirs in float32, so every gradient that leaves a pass (per-example
 * gradients, their norms, the clipped sum) is float32. Measured on DPDM's network at 64 examples
 * x 4 draws (Intel Xeon with AMX, alternating pairs) against float32 results cast after each
 * product: 1.11-1.23x the DP draws/s in 20% less memory.
 */
public final class Bfloat16 {
    /** torch.dtype codes of TorchScript's torch.to(tensor, dtype). */
    static final String BF16 = "15";
    static final String FP32 = "6";

    private Bfloat16() {}

    /**
     * conv2d(x, k) + b (b null: none), bfloat16 result, by the route of the thread's grad mode, as
     * {@link TorchScript#apply} chooses: with autograd where the thread records gradients (stride,
     * padding and groups then travel as an int64 tensor: modules called with autograd take tensors
     * only), otherwise {@link #inferenceConv} where oneDNN takes bfloat16 ({@link CpuInfo#oneDnnBfloat16});
     * torch.conv2d, the autograd route, serves every CPU.
     */
    static NDArray conv(NDArray x, NDArray k, NDArray b, int stride, int padding, int groups) {
        if (!JniUtils.isGradMode() && oneDnn()) {
            return inferenceConv(x, k, b, stride, padding, groups);
        }
        // Read at once by int() and kept by no autograd node, so its Java buffer is safe here (see Torch.scalar).
        NDArray settings = x.getManager().create(new long[] {stride, padding, groups});
        return Modules.CONV.call(new NDList(x, k, biasOrZeros(k, b), settings));
    }

    /**
     * The same for a pass that takes no gradient, through oneDNN's kernel directly. On DPDM's
     * network casts back to float32 after each convolution and a separate float32 bias add took
     * about a third of a bfloat16 sampling pass (Intel Xeon with AMX, one
     * thread). Dense bfloat16 operands rather than oneDNN tensors, whose output took a reorder and
     * a PyTorch copy: the same result, sampling 1.04-1.30x faster. PyTorch still copies an
     * activation inside each dense bfloat16 convolution (about a sixth of the pass); channels-last
     * activations would avoid it, but group norm on them was 20x slower.
     * {@link Gradients#forward} returns float32 whatever the last layer produced.
     */
    private static NDArray inferenceConv(NDArray x, NDArray k, NDArray b, int stride, int padding, int groups) {
        return Modules.CONV_INFERENCE.forward(x.getManager(), x, k, biasOrZeros(k, b), (long) stride, (long) padding,
                (long) groups);
    }

    /** The kernels take a bias: zeros for a convolution that has none. */
    private static NDArray biasOrZeros(NDArray k, NDArray b) {
        return b != null ? b : k.getManager().zeros(new Shape(k.getShape().get(0)));
    }

    /**
     * True for a bfloat16 tensor (an inference pass's activations after a {@link #inferenceConv}):
     * DJL 0.34 has no name for PyTorch's bfloat16 and reports it as UNKNOWN; every other tensor
     * of this engine has a named type.
     */
    static boolean is(NDArray a) {
        return a.getDataType() == DataType.UNKNOWN;
    }

    /** {@code a} in float32 (itself when it already is). */
    static NDArray toFloat32(NDArray a) {
        return is(a) ? Modules.TO_FLOAT32.apply(a) : a;
    }

    /**
     * {@code a} in bfloat16 when {@code like} is bfloat16, else {@code a} itself: for a float32
     * term (e.g. a per-row embedding) added to a bfloat16 activation, which PyTorch would
     * otherwise promote to float32 with everything that follows it.
     */
    public static NDArray like(NDArray like, NDArray a) {
        return is(like) ? toBfloat16(a) : a;
    }

    /** {@code a} in bfloat16 (itself when it already is). */
    static NDArray toBfloat16(NDArray a) {
        return is(a) ? a : Modules.TO_BFLOAT16.apply(a);
    }

    /**
     * torch.matmul(a, b) in the pass's precision: (m, k) @ (k, n), or batched, with batch axes
     * broadcast. A bfloat16 product stays bfloat16, like the convolutions': otherwise the
     * network's first convolution (a few-tap product) and its attention and embedding maps would
     * hand float32 to the residual stream, and every block after them would add, normalise and
     * cast in float32.
     */
    static NDArray matMul(Weights w, NDArray a, NDArray b) {
        if (w.precision() != Precision.BF16) {
            return a.matMul(b);
        }
        return Modules.MATMUL.apply(a, b);
    }

    /** True when oneDNN's kernels take bfloat16 on this CPU ({@link CpuInfo#oneDnnBfloat16}, read once). */
    static boolean oneDnn() {
        return OneDnnSupport.BFLOAT16;
    }

    private static final class OneDnnSupport {
        static final boolean BFLOAT16 = CpuInfo.read().oneDnnBfloat16();
    }

    /** Compiled once per process, on first use; they live as long as the process, with their manager. */
    private static final class Modules {
        static final TorchScript CONV = TorchScript.compile(Torch.engine().newBaseManager(), "Bf16Conv",
                "x: Tensor, k: Tensor, b: Tensor, settings: Tensor", "Tensor",
                "stride = int(settings[0])\n"
                + "padding = int(settings[1])\n"
                + "return torch.conv2d(" + bf16("x") + ", " + bf16("k") + ", " + bf16("b") + ", [stride, stride],"
                + " [padding, padding], [1, 1], int(settings[2]))");
        static final TorchScript CONV_INFERENCE = TorchScript.compile(Torch.engine().newBaseManager(),
                "Bf16ConvInference", "x: Tensor, k: Tensor, b: Tensor, stride: int, padding: int, groups: int", "Tensor",
                "return torch.mkldnn_convolution(" + bf16("x") + ", " + bf16("k") + ", " + bf16("b") + ","
                + " [padding, padding], [stride, stride], [1, 1], groups)");
        static final TorchScript TO_FLOAT32 = TorchScript.compile(Torch.engine().newBaseManager(), "Bf16ToFloat32",
                "a: Tensor", "Tensor", "return torch.to(a, " + FP32 + ")");
        static final TorchScript TO_BFLOAT16 = TorchScript.compile(Torch.engine().newBaseManager(), "Bf16FromFloat32",
                "a: Tensor", "Tensor", "return " + bf16("a"));
        static final TorchScript MATMUL = TorchScript.compile(Torch.engine().newBaseManager(), "Bf16MatMul",
                "a: Tensor, b: Tensor", "Tensor", "return torch.matmul(" + bf16("a") + ", " + bf16("b") + ")");

        private static String bf16(String tensor) {
            return "torch.to(" + tensor + ", " + BF16 + ")";
        }
    }
}
