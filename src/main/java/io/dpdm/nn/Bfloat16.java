package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Convolutions and matrix products with bfloat16 inputs and float32 results: both operands are
 * rounded to bfloat16 (8 significant bits), multiplied by oneDNN's bfloat16 kernels (AVX512-BF16 or
 * AMX) with float32 accumulation, and the product is returned in float32.
 *
 * <p>DJL 0.34 cannot hold a bfloat16 array (converting one aborts the process), so each product
 * is one TorchScript module that casts, multiplies and casts back; the module runs with autograd
 * on, so gradients flow through it: the casts' backward passes return float32 gradients, and
 * every gradient that leaves a pass (per-example gradients, their norms, the clipped sum) is
 * float32. Biases are added outside, in float32, after the product.
 */
final class Bfloat16 {
    /** torch.dtype codes of TorchScript's torch.to(tensor, dtype). */
    static final String BF16 = "15";
    static final String FP32 = "6";

    private Bfloat16() {}

    /**
     * conv2d(x, k) without bias; stride, padding and groups travel as an int64 tensor (modules take
     * tensors only). {@code inference} (a pass that takes no gradient) runs it on oneDNN tensors
     * instead: converted to bfloat16 and back to float32 by oneDNN's reorders, where the autograd
     * route's dense bfloat16 output is made contiguous by a slower PyTorch copy (DPDM's network
     * sampled 1.00-1.18x faster this way, median 1.09, on an Intel Xeon with AMX); oneDNN tensors
     * take no gradients.
     */
    static NDArray conv(NDArray x, NDArray k, int stride, int padding, int groups, boolean inference) {
        if (inference) {
            return Modules.CONV_INFERENCE.forward(x.getManager(), x, k, (long) stride, (long) padding, (long) groups);
        }
        // Read at once by int() and kept by no autograd node, so its Java buffer is safe here (see Torch.scalar).
        NDArray settings = x.getManager().create(new long[] {stride, padding, groups});
        return Modules.CONV.call(new NDList(x, k, settings));
    }

    /** torch.matmul(a, b) in the pass's precision: (m, k) @ (k, n), or batched, with batch axes broadcast. */
    static NDArray matMul(Weights w, NDArray a, NDArray b) {
        return w.precision() == Precision.BF16 ? product(a, b) : a.matMul(b);
    }

    /** torch.matmul in bfloat16 (batched when the operands are). */
    private static NDArray product(NDArray a, NDArray b) {
        return Modules.MATMUL.call(new NDList(a, b));
    }

    /** Compiled once per process, on first use; they live as long as the process, with their manager. */
    private static final class Modules {
        static final TorchScript CONV = TorchScript.compile(Torch.engine().newBaseManager(), "Bf16Conv",
                "x: Tensor, k: Tensor, settings: Tensor", "Tensor",
                "stride = int(settings[0])\n"
                + "padding = int(settings[1])\n"
                + "y = torch.conv2d(" + bf16("x") + ", " + bf16("k") + ", None, [stride, stride], [padding, padding], [1, 1], int(settings[2]))\n"
                + "return torch.to(y, " + FP32 + ")");
        static final TorchScript CONV_INFERENCE = TorchScript.compile(Torch.engine().newBaseManager(),
                "Bf16ConvInference", "x: Tensor, k: Tensor, stride: int, padding: int, groups: int", "Tensor",
                "y = torch.mkldnn_convolution(torch.to_mkldnn(x, " + BF16 + "), torch.to_mkldnn(k, " + BF16 + "), None,"
                + " [padding, padding], [stride, stride], [1, 1], groups)\n"
                + "return torch.to_dense(y, " + FP32 + ")");
        static final TorchScript MATMUL = TorchScript.compile(Torch.engine().newBaseManager(), "Bf16MatMul",
                "a: Tensor, b: Tensor", "Tensor",
                "return torch.to(torch.matmul(" + bf16("a") + ", " + bf16("b") + "), " + FP32 + ")");

        private static String bf16(String tensor) {
            return "torch.to(" + tensor + ", " + BF16 + ")";
        }
    }
}
