package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The float32 convolutions dpdm runs (through oneDNN) against the same convolution in float64
 * (PyTorch's own kernels; oneDNN has none for float64): forward pass, input gradient and weight
 * gradient, for every channel count from 1 to 40 against 16, dense and grouped, stride 1 and 2.
 * On an AMD Zen5 VM, plain oneDNN convolutions failed this for most counts that are not
 * multiples of 16 (see {@link BlockedConvolution}).
 */
class ConvolutionAccuracyTest {
    /** float32 accumulation over at most 40 x 9 taps: errors near 1e-6 of the largest entry. */
    private static final double TOLERANCE = 1e-4;

    @Test
    void float32AgreesWithFloat64ForEveryChannelCount() {
        Torch.engine();
        List<int[]> cases = new ArrayList<>(); // batch, in, out, side, stride, groups
        for (int c = 1; c <= 40; c++) {
            cases.add(new int[] {4, c, c, 6, 1, 1});
            cases.add(new int[] {4, 16, c, 6, 1, 1});
            cases.add(new int[] {4, c, 16, 6, 1, 1});
            cases.add(new int[] {3, 32, c, 8, 2, 1});
            cases.add(new int[] {2, 3 * c, 3 * (41 - c), 5, 1, 3});
        }
        for (int n : new int[] {8, 24, 64}) { // U-Net heads: nf channels to image (or patch) channels
            cases.add(new int[] {n, 8, 1, 8, 1, 1});
            cases.add(new int[] {n, 16, 4, 14, 1, 1});
            cases.add(new int[] {n, 32, 3, 16, 1, 1});
        }
        List<String> wrong = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] c : cases) {
                String found = compare(m, c[0], c[1], c[2], c[3], c[4], c[5]);
                if (found != null) {
                    wrong.add(found);
                }
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + cases.size() + " convolutions wrong: " + wrong);
    }

    private static String compare(NDManager m, int n, int in, int out, int side, int stride, int groups) {
        try (NDManager scope = m.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(n, in, side, side), DataType.FLOAT64);
            NDArray k = scope.randomNormal(new Shape(out, in / groups, 3, 3), DataType.FLOAT64);
            NDArray b = scope.randomNormal(new Shape(out), DataType.FLOAT64);
            NDArray[] single = pass(x, k, b, stride, groups, DataType.FLOAT32);
            NDArray[] exact = pass(x, k, b, stride, groups, DataType.FLOAT64);
            String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
            StringBuilder bad = new StringBuilder();
            for (int i = 0; i < names.length; i++) {
                double error = single[i].toType(DataType.FLOAT64, false).sub(exact[i]).abs().max().getDouble()
                        / exact[i].abs().max().getDouble();
                if (!(error <= TOLERANCE)) {
                    bad.append(String.format(" %s %.1e", names[i], error));
                }
            }
            return bad.isEmpty() ? null
                    : String.format("%dx%d->%d %dx%d stride %d groups %d:%s", n, in, out, side, side, stride, groups, bad);
        }
    }

    /** Output and the gradients of x, weight and bias of sum(conv(x) * w) for fixed weights w. */
    private static NDArray[] pass(NDArray x0, NDArray k0, NDArray b0, int stride, int groups, DataType type) {
        NDArray x = x0.toType(type, true);
        NDArray k = k0.toType(type, true);
        NDArray b = b0.toType(type, true);
        x.setRequiresGradient(true);
        k.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (Torch.GradientRecording recording = Torch.recordGradients()) {
            NDArray y = BlockedConvolution.apply(x, k, b, stride, 1, groups);
            NDArray w = y.getManager().arange(0f, (float) y.size()).reshape(y.getShape()).sin().toType(type, false);
            recording.backward(y.mul(w).sum());
            return new NDArray[] {y, x.getGradient(), k.getGradient(), b.getGradient()};
        }
    }
}
