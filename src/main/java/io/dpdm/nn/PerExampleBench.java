package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Benchmark: per-example gradients (expanded weights) against the ordinary batch gradient of
 * the same loss on the same data. Prints median wall times and their ratio.
 *
 * <pre>java -Dai.djl.pytorch.num_threads=2 -cp target/classes:target/lib/* io.dpdm.nn.PerExampleBench [repeats]</pre>
 */
public final class PerExampleBench {
    private PerExampleBench() {}

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Torch.engine().setRandomSeed(0);
        try (NDManager manager = Torch.engine().newBaseManager()) {
            try (ParameterStore s = new ParameterStore(1)) {
                Layer cnn = Sequential.of(
                        Conv2d.create(s, "conv1", 1, 32, 3, 1, 0, 1, true, 1.0), new Spatial.MaxPool2d(2), Activation.RELU,
                        new Dropout(0.5), Conv2d.create(s, "conv2", 32, 64, 3, 1, 0, 1, true, 1.0), new Spatial.MaxPool2d(2),
                        Activation.RELU, Conv2d.create(s, "conv3", 64, 128, 3, 1, 0, 1, true, 1.0), Activation.RELU,
                        Spatial.FLATTEN, Linear.create(s, "fc1", 1152, 128), Activation.RELU, Linear.create(s, "fc2", 128, 10));
                int b = 64;
                NDArray x = manager.randomUniform(-1, 1, new Shape(b, 1, 28, 28));
                NDArray oneHot = manager.randomInteger(0, 10, new Shape(b), DataType.INT64).oneHot(10).toType(DataType.FLOAT32, false);
                Function<Weights, NDArray> loss = w -> Gradients.meanOverDraws(w,
                        cnn.forward(w, x).logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg());
                compare("downstream CNN, B=64 K=1", s, b, 1, loss, repeats, manager);
            }
            try (ParameterStore s = new ParameterStore(2)) {
                Layer unet = Sequential.of(
                        Conv2d.create(s, "a1", 32, 64, 3), GroupNorm.create(s, "n1", 64), Activation.SILU,
                        Conv2d.create(s, "a2", 64, 64, 3), GroupNorm.create(s, "n2", 64), Activation.SILU,
                        new Spatial.AvgPool2d(2),
                        Conv2d.create(s, "b1", 64, 64, 3), GroupNorm.create(s, "n3", 64), Activation.SILU,
                        Conv2d.create(s, "b2", 64, 64, 3), GroupNorm.create(s, "n4", 64), Activation.SILU);
                int b = 16;
                int k = 32;
                NDArray x = manager.randomNormal(new Shape(k * b, 32, 28, 28));
                Function<Weights, NDArray> loss = w -> {
                    NDArray y = unet.forward(w, x);
                    return Gradients.meanOverDraws(w, y.square().reshape(k * b, -1).mean(new int[] {1}));
                };
                compare("U-Net stand-in (4 conv3x3 64ch + GN + SiLU, 28x28 and 14x14), B=16 K=32", s, b, k, loss, repeats, manager);
            }
        }
    }

    private static void compare(String name, ParameterStore s, int b, int k, Function<Weights, NDArray> loss, int repeats,
            NDManager manager) {
        // Interleaved, so that load from other processes hits both sides alike.
        double[] batchTimes = new double[repeats];
        double[] perExampleTimes = new double[repeats];
        for (int i = -1; i < repeats; i++) {
            double tb = time(into -> Gradients.batch(into, s, b, k, true, loss), manager);
            double tp = time(into -> Gradients.perExample(into, s, b, k, true, loss), manager);
            if (i >= 0) { // i = -1 is the warm-up
                batchTimes[i] = tb;
                perExampleTimes[i] = tp;
            }
        }
        double batch = median(batchTimes);
        double perExample = median(perExampleTimes);
        System.out.printf(Locale.ROOT, "%s: batch %.3f s, per-example %.3f s, ratio %.2f (median of %d, %d params)%n", name, batch,
                perExample, perExample / batch, repeats, s.count());
    }

    /** Seconds for one gradient computation whose results go to a manager closed right after. */
    private static double time(Function<NDManager, ?> step, NDManager manager) {
        try (NDManager into = manager.newSubManager()) {
            long start = System.nanoTime();
            step.apply(into);
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static double median(double[] t) {
        double[] sorted = t.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
