package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Conv2d;
import io.dpdm.nn.GroupNorm;
import io.dpdm.nn.Layer;
import io.dpdm.nn.Linear;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.SelfAttention;
import io.dpdm.nn.Torch;
import io.dpdm.nn.Weights;
import java.util.function.BiFunction;

/**
 * Profiles the U-Net's layer kinds at the shapes of the DPDM 28x28 network: forward + backward of
 * one layer, per-example (expanded weights) versus batch, at (B, K) given on the command line
 * (default 16 32). Prints the median seconds of each and their ratio.
 */
public final class UNetLayerBench {
    private UNetLayerBench() {}

    public static void main(String[] args) {
        int b = args.length > 1 ? Integer.parseInt(args[0]) : 16;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Torch.engine();
        run("conv3x3 32->32 @28", b, k, reps, 32, 28, (s, n) -> Conv2d.create(s, n, 32, 32, 3));
        run("conv3x3 64->64 @14", b, k, reps, 64, 14, (s, n) -> Conv2d.create(s, n, 64, 64, 3));
        run("conv3x3 64->64 @7", b, k, reps, 64, 7, (s, n) -> Conv2d.create(s, n, 64, 64, 3));
        run("conv1x1 64->32 @28", b, k, reps, 64, 28, (s, n) -> Conv2d.create(s, n, 64, 32, 1));
        run("groupnorm 32 @28", b, k, reps, 32, 28, (s, n) -> GroupNorm.create(s, n, 32));
        run("attention 64 @7", b, k, reps, 64, 7, (s, n) -> SelfAttention.create(s, n, 64));
        run("dense 128->64 (rows)", b, k, reps, 128, 0, (s, n) -> Linear.create(s, n, 128, 64));
    }

    /** @param size spatial side, 0 for a (rows, channels) input */
    private static void run(String name, int b, int k, int reps, int channels, int size,
            BiFunction<ParameterStore, String, Layer> make) {
        try (ParameterStore store = new ParameterStore(0); NDManager m = Torch.engine().newBaseManager()) {
            Layer layer = make.apply(store, "layer");
            Shape shape = size == 0 ? new Shape((long) k * b, channels) : new Shape((long) k * b, channels, size, size);
            NDArray x = m.randomNormal(shape);
            double per = time(m, store, layer, x, b, k, reps, true);
            double batch = time(m, store, layer, x, b, k, reps, false);
            System.out.printf("%-22s per-example %.4f s  batch %.4f s  ratio %.2f%n", name, per, batch, per / batch);
        }
    }

    private static double time(NDManager m, ParameterStore store, Layer layer, NDArray x, int b, int k, int reps,
            boolean perExample) {
        java.util.function.Function<Weights, NDArray> loss = w -> {
            NDArray y = layer.forward(w, x);
            return y.square().reshape(k, b, -1).transpose(1, 0, 2).reshape(b, -1).sum(new int[] {1});
        };
        return UNetBench.median(reps, () -> {
            try (NDManager step = m.newSubManager()) {
                if (perExample) {
                    io.dpdm.nn.Gradients.perExample(step, store, b, k, null, loss);
                } else {
                    io.dpdm.nn.Gradients.batch(step, store, b, k, null, loss);
                }
            }
        }).wall();
    }
}
