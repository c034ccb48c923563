package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The float32 convolutions dpdm runs, against float64 ({@link ConvolutionCheck}): every channel
 * count from 1 to 40 against 16, dense and grouped, stride 1 and 2, and the U-Nets' output
 * layers. On an AMD Zen5 VM, plain oneDNN convolutions failed this for 99 of these 209 shapes
 * (see {@link BlockedConvolution}).
 */
class ConvolutionAccuracyTest {
    @Test
    void float32AgreesWithFloat64ForEveryChannelCount() {
        List<ConvolutionCheck.Case> cases = new ArrayList<>();
        for (int c = 1; c <= 40; c++) {
            cases.add(new ConvolutionCheck.Case(4, c, c, 6, 1, 1));
            cases.add(new ConvolutionCheck.Case(4, 16, c, 6, 1, 1));
            cases.add(new ConvolutionCheck.Case(4, c, 16, 6, 1, 1));
            cases.add(new ConvolutionCheck.Case(3, 32, c, 8, 2, 1));
            cases.add(new ConvolutionCheck.Case(2, 3 * c, 3 * (41 - c), 5, 1, 3));
        }
        for (int n : new int[] {8, 24, 64}) { // U-Net heads: nf channels to image (or patch) channels
            cases.add(new ConvolutionCheck.Case(n, 8, 1, 8, 1, 1));
            cases.add(new ConvolutionCheck.Case(n, 16, 4, 14, 1, 1));
            cases.add(new ConvolutionCheck.Case(n, 32, 3, 16, 1, 1));
        }
        List<String> wrong = ConvolutionCheck.wrong(cases, BlockedConvolution::apply, ConvolutionCheck.FLOAT32_TOLERANCE);
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + cases.size() + " convolutions wrong: " + wrong);
    }

    /**
     * Shared-weight convolutions of at most 27 input taps run as a product over im2col columns
     * ({@link Conv2d}), not through oneDNN: output and gradients against PyTorch's float64 kernel,
     * for the U-Net's 1 -> 1 seam, the CNN classifier's 1 -> 32 first layer, and 2 and 3 input
     * channels at stride 1 and 2, in both precisions.
     */
    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32", "BF16"})
    void sharedConvolutionsOfFewTapsAgreeWithFloat64(Precision precision) {
        List<ConvolutionCheck.Case> cases = List.of(new ConvolutionCheck.Case(4, 1, 1, 8, 1, 1),
                new ConvolutionCheck.Case(3, 1, 32, 9, 1, 1), new ConvolutionCheck.Case(3, 2, 16, 6, 1, 1),
                new ConvolutionCheck.Case(2, 3, 5, 9, 2, 1));
        ConvolutionCheck.Convolution shared = (x, k, b, stride, padding, groups) -> {
            if (x.getDataType() == DataType.FLOAT64) { // the reference: PyTorch's own float64 kernel
                return BlockedConvolution.apply(x, k, b, stride, padding, groups);
            }
            Weights w = new PassWeights(Map.of("k", k, "b", b), false, (int) x.getShape().get(0), 1, null,
                    x.getManager(), precision, null);
            return new Conv2d("k", "b", stride, padding, groups).forward(w, x);
        };
        double tolerance = precision == Precision.FP32 ? ConvolutionCheck.FLOAT32_TOLERANCE
                : ConvolutionCheck.BFLOAT16_TOLERANCE;
        assertEquals(List.of(), ConvolutionCheck.wrong(cases, shared, tolerance));
    }

    /**
     * Shared-weight 1x1 convolutions (the residual blocks' skips) run as a product over their
     * input, not through oneDNN ({@link Conv2d}): against PyTorch's float64 kernel, for channel
     * counts around a block of 16, with and without bias, at stride 1 and 2, in both precisions.
     */
    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32", "BF16"})
    void sharedPointwiseConvolutionsAgreeWithFloat64(Precision precision) {
        try (NDManager m = Torch.engine().newBaseManager()) {
            int[][] cases = {{3, 48, 16, 1}, {2, 32, 64, 1}, {4, 17, 5, 2}}; // rows, in, out, stride
            for (int[] c : cases) {
                NDArray x = m.randomNormal(new Shape(c[0], c[1], 7, 7));
                NDArray k = m.randomNormal(new Shape(c[2], c[1], 1, 1));
                NDArray b = m.randomNormal(new Shape(c[2]));
                for (boolean withBias : new boolean[] {true, false}) {
                    Weights w = new PassWeights(Map.of("k", k, "b", b), false, c[0], 1, null, m, precision, null);
                    NDArray y = Bfloat16.toFloat32(new Conv2d("k", withBias ? "b" : null, c[3], 0, 1).forward(w, x));
                    NDArray reference = BlockedConvolution.apply(x.toType(DataType.FLOAT64, false),
                            k.toType(DataType.FLOAT64, false), withBias ? b.toType(DataType.FLOAT64, false) : null, c[3],
                            0, 1);
                    assertEquals(reference.getShape(), y.getShape());
                    double error = ConvolutionCheck.relativeError(y.toType(DataType.FLOAT64, false), reference);
                    double tolerance = precision == Precision.FP32 ? ConvolutionCheck.FLOAT32_TOLERANCE
                            : ConvolutionCheck.BFLOAT16_TOLERANCE;
                    assertTrue(error <= tolerance, precision + " " + Arrays.toString(c) + " bias " + withBias
                            + ": error " + error + " of the largest entry");
                }
            }
        }
    }

    /** Every start-up check, the per-example weight-gradient kernel included, in both precisions. */
    @Test
    void perExampleWeightGradientsAgreeWithFloat64() {
        assertEquals(List.of(), ConvolutionCheck.atStart(BlockedConvolution::apply, Precision.FP32,
                ConvolutionCheck.FLOAT32_TOLERANCE));
        assertEquals(List.of(), ConvolutionCheck.atStart(ConvolutionCheck.BFLOAT16, Precision.BF16,
                ConvolutionCheck.BFLOAT16_TOLERANCE));
    }

    /**
     * Not vacuous: a float32 convolution that leaks 1% of the next example into each one (as a
     * faulty float32 kernel might; the float64 path stays exact) is caught in every check.
     */
    @Test
    void theCheckCatchesAFloat32ConvolutionThatMixesExamples() {
        ConvolutionCheck.Convolution leaky = (x, k, b, stride, padding, groups) -> {
            NDArray y = BlockedConvolution.apply(x, k, b, stride, padding, groups);
            if (y.getDataType() != DataType.FLOAT32) {
                return y;
            }
            NDArray next = y.get("1:").concat(y.get("0:1"), 0);
            return y.add(next.mul(Torch.scalar(y.getManager(), 0.01)));
        };
        List<String> wrong = ConvolutionCheck.wrong(ConvolutionCheck.AT_START, leaky, ConvolutionCheck.FLOAT32_TOLERANCE);
        assertEquals(ConvolutionCheck.AT_START.size(), wrong.size(), wrong.toString());
        assertTrue(wrong.get(0).contains("output error"), wrong.get(0));
        List<String> outputs = ConvolutionCheck.wrongOutputs(ConvolutionCheck.AT_START, leaky,
                ConvolutionCheck.FLOAT32_TOLERANCE);
        assertEquals(ConvolutionCheck.AT_START.size(), outputs.size(), outputs.toString());
        assertTrue(outputs.get(0).contains("output without gradients error"), outputs.get(0));
    }

    /**
     * The bfloat16 route of passes without gradients (sampling) against float64, and against the
     * autograd route: both leave the same bfloat16 products, bias included, in bfloat16.
     */
    @Test
    void bfloat16WithoutGradientsAgreesWithFloat64AndWithTheAutogradRoute() {
        assertEquals(List.of(), ConvolutionCheck.wrongOutputs(ConvolutionCheck.AT_START,
                ConvolutionCheck.BFLOAT16, ConvolutionCheck.BFLOAT16_TOLERANCE));
        try (NDManager m = Torch.engine().newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(3, 32, 9, 9));
            NDArray k = m.randomNormal(new Shape(16, 32, 3, 3));
            NDArray b = m.randomNormal(new Shape(16));
            NDArray half;
            try (Torch.GradMode off = Torch.withoutGradients()) {
                half = BlockedConvolution.bfloat16(x, k, b, 2, 1, 1);
            }
            NDArray halfWithAutograd;
            try (Torch.GradientRecording recording = Torch.recordGradients()) {
                halfWithAutograd = BlockedConvolution.bfloat16(x, k, b, 2, 1, 1);
            }
            assertTrue(Bfloat16.is(half) && Bfloat16.is(halfWithAutograd), "both routes' results stay bfloat16");
            float[] inference = Bfloat16.toFloat32(half).toFloatArray();
            float[] autograd = Bfloat16.toFloat32(halfWithAutograd).toFloatArray();
            assertEquals(autograd.length, inference.length);
            double largest = 0;
            double error = 0;
            for (int i = 0; i < autograd.length; i++) {
                largest = Math.max(largest, Math.abs(autograd[i]));
                error = Math.max(error, Math.abs(autograd[i] - inference[i]));
            }
            // bfloat16 keeps 8 significant bits: one rounding of the result moves it by at most 2^-9 of
            // the largest entry; oneDNN's bfloat16 output may round partial sums too (seen: 2^-8)
            assertTrue(error <= largest / 128, "error " + error + " against largest entry " + largest);
        }
    }
}
