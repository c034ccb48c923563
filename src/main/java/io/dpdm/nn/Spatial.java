package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Spatial layers without parameters (identical in both modes): non-overlapping
 * average and max pooling (kernel = stride = size, no padding, floor) and nearest-neighbour
 * up-sampling by 2, and flattening.
 */
public final class Spatial {
    private Spatial() {}

    /**
     * size x size average pooling (the DDPM++ down-sampling, size 2): the sum of the tiles'
     * strided views, added row offset by row offset, then column offset by column offset, times
     * 1/size^2. PyTorch's avg_pool2d took 1.2-3.4x as long for 2x2 on the U-Net's activations (one
     * thread, Intel Xeon with AMX, float32 and bfloat16). In bfloat16 each of the additions rounds
     * (avg_pool2d rounds once), each by at most 2^-9 of its partial sum.
     */
    public record AvgPool2d(int size) implements Layer {
        public AvgPool2d {
            if (size < 1) {
                throw new IllegalArgumentException("pooling size must be >= 1, got " + size);
            }
        }

        @Override
        public NDArray forward(Weights w, NDArray x) {
            Shape s = x.getShape();
            long h = s.get(2) / size;
            long wd = s.get(3) / size;
            NDArray tiles = h * size == s.get(2) && wd * size == s.get(3) ? x
                    : x.get(new NDIndex(":, :, :{}, :{}", h * size, wd * size));
            tiles = tiles.reshape(s.get(0), s.get(1), h, size, wd, size);
            NDArray rows = offsetSum(tiles, ":, :, :, {}");
            NDArray sum = offsetSum(rows, ":, :, :, :, {}");
            // A native scalar: x.mul(float) on the gradient path reads freed memory (see Torch.scalar).
            return sum.mul(Torch.scalar(w.manager(), 1.0 / (size * size)));
        }

        /** The sum over i < size of a.get(index with i). */
        private NDArray offsetSum(NDArray a, String index) {
            NDArray sum = a.get(new NDIndex(index, 0));
            for (int i = 1; i < size; i++) {
                sum = sum.add(a.get(new NDIndex(index, i)));
            }
            return sum;
        }
    }

    /**
     * size x size max pooling by oneDNN's pooling kernel, converting to and from its layout, with
     * autograd through all three where the thread records gradients. PyTorch's own kernel
     * (max_pool2d_with_indices, which it runs whenever gradients are recorded) took 2.5-3x as long
     * forward and backward on the CNN classifier's activations (64 x 32 x 26 x 26 and 64 x 64 x 11
     * x 11, one thread, Intel Xeon with AMX): about 37% of its training step. Bfloat16 activations
     * on a CPU where oneDNN refuses them ({@link CpuInfo#oneDnnBfloat16}) take PyTorch's kernel.
     */
    public record MaxPool2d(int size) implements Layer {
        public MaxPool2d {
            if (size < 1) {
                throw new IllegalArgumentException("pooling size must be >= 1, got " + size);
            }
        }

        @Override
        public NDArray forward(Weights w, NDArray x) {
            // Read at once by int() and kept by no autograd node, so its Java buffer is safe here (see Torch.scalar).
            TorchScript pool = Bfloat16.oneDnn() || !Bfloat16.is(x) ? OneDnn.MAX_POOL : PyTorchKernel.MAX_POOL;
            return pool.apply(x, w.manager().create(new long[] {size}));
        }
    }

    /** Compiled once per process, on first use; it lives as long as the process, with its manager. */
    private static final class OneDnn {
        static final TorchScript MAX_POOL = TorchScript.compile(Torch.engine().newBaseManager(), "MaxPool",
                "x: Tensor, settings: Tensor", "Tensor",
                """
                k = int(settings[0])
                return torch.mkldnn_max_pool2d(x.to_mkldnn(), [k, k], [k, k]).to_dense()""");
    }

    /** PyTorch's own pooling kernel, compiled only where oneDNN refuses bfloat16 and it is asked for. */
    private static final class PyTorchKernel {
        static final TorchScript MAX_POOL = TorchScript.compile(Torch.engine().newBaseManager(), "PyTorchMaxPool",
                "x: Tensor, settings: Tensor", "Tensor",
                """
                k = int(settings[0])
                return torch.max_pool2d(x, [k, k], [k, k])""");
    }

    /**
     * Nearest-neighbour up-sampling by 2 in both directions (the DDPM++ up-sampling): each row of
     * W pixels times the (W, 2W) matrix that copies pixel j to columns 2j and 2j+1 (exact: one
     * term of weight 1 per output), then every widened row repeated once, as one copy with
     * contiguous runs. PyTorch's upsample_nearest2d took 3.3-4.6x as long on the U-Net's activations
     * (one thread, Intel Xeon with AMX, float32 and bfloat16): its copies move one element at a time.
     */
    public static final Layer UPSAMPLE_NEAREST_2X = (w, x) -> {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long width = s.get(3);
        // Made by PyTorch (not over a Java buffer): autograd keeps it for the backward pass (see Torch.scalar).
        NDArray widen = w.manager().eye(Math.toIntExact(width)).reshape(width, width, 1)
                .broadcast(new Shape(width, width, 2)).reshape(width, 2 * width);
        widen = Bfloat16.like(x, widen);
        NDArray wide = x.reshape(n * c * h, width).matMul(widen);
        return wide.reshape(n, c, h, 1, 2 * width).broadcast(new Shape(n, c, h, 2, 2 * width))
                .reshape(n, c, 2 * h, 2 * width);
    };

    /** (N, ...) -> (N, product of the rest). */
    public static final Layer FLATTEN = (w, x) -> x.reshape(x.getShape().get(0), -1);
}
