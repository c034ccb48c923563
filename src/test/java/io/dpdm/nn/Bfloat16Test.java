package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.DpdmException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bfloat16 kernels against float64, and the precision a store runs in. */
class Bfloat16Test {
    /** The engine's own start-up cases, with bfloat16 rounding allowed and float32 accuracy refused. */
    @Test
    void convolutionsAgreeWithFloat64WithinBfloat16Rounding() {
        assertEquals(List.of(), ConvolutionCheck.wrong(ConvolutionCheck.AT_START, ConvolutionCheck.BFLOAT16,
                ConvolutionCheck.BFLOAT16_TOLERANCE));
        // at float32's tolerance they fail: the operands really were rounded to bfloat16
        assertEquals(ConvolutionCheck.AT_START.size(), ConvolutionCheck.wrong(ConvolutionCheck.AT_START,
                ConvolutionCheck.BFLOAT16, ConvolutionCheck.FLOAT32_TOLERANCE).size());
    }

    @Test
    void matrixProductsAgreeWithFloat64WithinBfloat16Rounding() {
        try (NDManager m = Torch.engine().newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(3, 20, 40), DataType.FLOAT64);
            NDArray b = m.randomNormal(new Shape(3, 40, 24), DataType.FLOAT64);
            NDArray exact = a.batchMatMul(b);
            Weights half = new PassWeights(Map.of(), false, 1, 1, null, m, Precision.BF16, null);
            NDArray batched = Bfloat16.matMul(half, a.toType(DataType.FLOAT32, true), b.toType(DataType.FLOAT32, true));
            NDArray plain = Bfloat16.matMul(half, a.get(0).toType(DataType.FLOAT32, true), b.get(0).toType(DataType.FLOAT32, true));
            for (NDArray[] pair : new NDArray[][] {{batched, exact}, {plain, exact.get(0)}}) {
                assertTrue(Bfloat16.is(pair[0]), "bf16 product of type " + pair[0].getDataType());
                double error = Bfloat16.toFloat32(pair[0]).toType(DataType.FLOAT64, false).sub(pair[1]).abs().max().getDouble()
                        / pair[1].abs().max().getDouble();
                assertTrue(error <= ConvolutionCheck.BFLOAT16_TOLERANCE, "bf16 product error " + error);
                assertTrue(error > ConvolutionCheck.FLOAT32_TOLERANCE, "product not rounded to bf16: error " + error);
            }
        }
    }

    @Test
    void storesRunInFloat32UntilToldAndCopiesKeepTheirPrecision() {
        try (ParameterStore store = new ParameterStore(1)) {
            assertEquals(Precision.FP32, store.precision());
            store.usePrecision(Precision.BF16);
            try (ParameterStore copy = store.copy()) {
                assertEquals(Precision.BF16, copy.precision());
            }
            assertThrows(IllegalArgumentException.class, () -> store.usePrecision(Precision.AUTO));
        }
    }

    /**
     * A factored pass (layer inputs x output gradients) computes in its store's precision, as the
     * expanded pass does: a bf16 store's summed per-example gradient differs from fp32's by
     * bfloat16 rounding (relative L2 above 1e-4, within 5%), so a command that reports bf16 cannot
     * silently run fp32.
     */
    @Test
    void factoredPassesRunInTheirStoresPrecision() {
        try (ParameterStore store = new ParameterStore(3); NDManager m = Torch.engine().newBaseManager()) {
            Linear layer = Linear.create(store, "l", 64, 32);
            NDArray x = m.randomNormal(new Shape(4, 64));
            java.util.function.Function<Weights, NDArray> loss = w -> layer.forward(w, x).square().sum(new int[] {1});
            float[] ones = {1, 1, 1, 1};
            NDArray fp32 = Gradients.factored(m, store, 4, 1, null, loss).weightedSum("l.weight", ones);
            store.usePrecision(Precision.BF16);
            NDArray bf16 = Gradients.factored(m, store, 4, 1, null, loss).weightedSum("l.weight", ones);
            double relative = bf16.sub(fp32).norm().getFloat() / fp32.norm().getFloat();
            assertTrue(relative > 1e-4 && relative < 0.05, "relative L2 difference " + relative);
        }
    }

    @Test
    void autoTimesThePassOnlyOnCpusWithBfloat16Arithmetic() {
        try (ParameterStore store = new ParameterStore(1)) {
            int[] passes = {0};
            Precision.Choice choice = Precision.AUTO.resolve(store, () -> passes[0]++);
            assertEquals(choice.precision(), store.precision());
            if (CpuInfo.read().bfloat16()) {
                assertEquals(8, passes[0], "one warm-up and three timed passes per precision");
                assertFalse(Double.isNaN(choice.fp32Seconds()));
            } else {
                assertEquals(0, passes[0]);
                assertEquals(Precision.FP32, choice.precision());
            }
            assertEquals(Precision.BF16, Precision.BF16.resolve(store, () -> passes[0]++).precision());
        }
    }

    @Test
    void precisionNamesParseAndBadOnesAreRefusedInOneLine() {
        assertEquals(Precision.BF16, Precision.parse("bf16"));
        assertEquals(Precision.AUTO, Precision.parse(" Auto "));
        DpdmException e = assertThrows(DpdmException.class, () -> Precision.parse("fp16"));
        assertEquals("precision 'fp16': expected fp32, bf16 or auto", e.getMessage());
    }
}
