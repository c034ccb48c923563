package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Every example's weight gradient of a dense convolution, in one grouped backward-weights kernel
 * (PyTorch's convolution_backward with only the weight gradient asked for): the K draws of
 * example b are the batch of group b, so group b's result sums example b's draws and nothing else.
 * DJL 0.34's JNI does not expose the operator, so it is a TorchScript module ({@link TorchScript}).
 */
final class ConvWeightGradient {
    private ConvWeightGradient() {}

    /**
     * @param outputGradient dL/dy, (K*B, out, H', W') draw-major
     * @param input the convolution's input x, (K*B, in, H, W) draw-major
     * @param kernel the shared kernel's shape (out, in, kh, kw)
     * @return the per-example gradients (B, out, in, kh, kw), float32, in the manager of {@code outputGradient}
     */
    static NDArray perExample(NDArray outputGradient, NDArray input, Shape kernel, int examples, int draws, int stride,
            int padding, Precision precision) {
        Shape gs = outputGradient.getShape();
        Shape xs = input.getShape();
        NDArray g = outputGradient.reshape(draws, examples * gs.get(1), gs.get(2), gs.get(3));
        NDArray x = input.reshape(draws, examples * xs.get(1), xs.get(2), xs.get(3));
        // Read at once by int() and kept by no autograd node, so its Java buffer is safe (see Torch.scalar).
        NDArray settings = g.getManager().create(new long[] {examples * kernel.get(0), kernel.get(1), kernel.get(2),
                kernel.get(3), stride, padding, examples, precision == Precision.BF16 ? 1 : 0});
        // the autograd route (no graph is recorded after the backward pass): its result is an
        // ordinary tensor, which callers may update in place, unlike the inference route's
        NDArray grouped = Module.BACKWARD_WEIGHTS.call(new NDList(g, x, settings));
        return grouped.reshape(new Shape(examples).addAll(kernel));
    }

    /** Compiled once per process, on first use. */
    private static final class Module {
        static final TorchScript BACKWARD_WEIGHTS = TorchScript.compile(Torch.engine().newBaseManager(),
                "ConvWeightGradient", "g: Tensor, x: Tensor, settings: Tensor", "Tensor",
                "if int(settings[7]) == 1:\n"
                + "  g = torch.to(g, " + Bfloat16.BF16 + ")\n"
                + "  x = torch.to(x, " + Bfloat16.BF16 + ")\n"
                // only the weight's shape is read when only its gradient is asked for
                + "w = g.new_empty([int(settings[0]), int(settings[1]), int(settings[2]), int(settings[3])])\n"
                + "stride = int(settings[4])\n"
                + "padding = int(settings[5])\n"
                + "r = ops.aten.convolution_backward(g, x, w, None, [stride, stride], [padding, padding], [1, 1],"
                + " False, [0, 0], int(settings[6]), [False, True, False])\n"
                + "return torch.to(r[1], " + Bfloat16.FP32 + ")");
    }
}
