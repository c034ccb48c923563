package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * Checks what clipping reads from {@link PerExampleGradients} (squared norms, weighted sums)
 * against a loop of single-example backward passes: example e's reference gradients are the
 * ordinary gradients of its loss alone. Tolerances are relative to each parameter tensor's own
 * scale (its largest reference entry), so a small tensor (a bias, a zero-initialised output
 * layer) is checked as tightly as a large one.
 */
public final class LoopReference {
    /**
     * Floor of every tolerance, relative to the largest entry over ALL tensors: float32
     * cancellation in a tensor whose exact gradient is zero (attention's key bias: softmax ignores
     * a shift shared by all keys) leaves round-off of the order of the other gradients times
     * 1e-6, which no tolerance relative to that tensor's own (round-off) scale can absorb.
     */
    static final double FLOOR = 1e-5;

    private LoopReference() {}

    /**
     * @param singles for each example, in order, its reference gradient of every parameter
     */
    public static void assertMatches(String what, PerExampleGradients g, List<Map<String, NDArray>> singles) {
        int examples = singles.size();
        assertEquals(examples, g.examples(), what + ": examples");
        List<String> names = List.copyOf(singles.get(0).keySet());
        double[] tolerance = new double[names.size()];
        float[][][] reference = new float[names.size()][examples][];
        double[] scales = new double[names.size()];
        for (int l = 0; l < names.size(); l++) {
            assertEquals(singles.get(0).get(names.get(l)).getShape(), g.shapes().get(names.get(l)), what + " shape");
            double scale = 0;
            for (int e = 0; e < examples; e++) {
                reference[l][e] = singles.get(e).get(names.get(l)).toFloatArray();
                for (float v : reference[l][e]) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            scales[l] = scale;
        }
        double global = java.util.Arrays.stream(scales).max().orElse(0);
        assertTrue(global > 0, what + ": reference gradients are all zero, the test would prove nothing");
        for (int l = 0; l < names.size(); l++) {
            tolerance[l] = 1e-4 * scales[l] + FLOOR * global;
        }
        double[][] squares = g.squaredNorms(names);
        for (int l = 0; l < names.size(); l++) {
            for (int e = 0; e < examples; e++) {
                double norm = 0;
                for (float v : reference[l][e]) {
                    norm += (double) v * v;
                }
                assertEquals(Math.sqrt(norm), Math.sqrt(Math.max(0, squares[l][e])),
                        tolerance[l] * Math.sqrt(reference[l][e].length),
                        what + ": norm of " + names.get(l) + ", example " + e);
            }
        }
        // One-hot weights read single examples back; mixed weights (one of them 0) their sum.
        float[] mixed = new float[examples];
        for (int e = 0; e < examples; e++) {
            mixed[e] = e == 1 ? 0f : 0.25f + 0.5f * e;
            float[] oneHot = new float[examples];
            oneHot[e] = 1f;
            for (int l = 0; l < names.size(); l++) {
                assertClose(what + ": " + names.get(l) + " of example " + e, reference[l][e],
                        g.weightedSum(names.get(l), oneHot).toFloatArray(), tolerance[l]);
            }
        }
        for (int l = 0; l < names.size(); l++) {
            float[] expected = new float[reference[l][0].length];
            double weightSum = 0;
            for (int e = 0; e < examples; e++) {
                weightSum += mixed[e];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] += mixed[e] * reference[l][e][i];
                }
            }
            assertClose(what + ": weighted sum of " + names.get(l), expected,
                    g.weightedSum(names.get(l), mixed).toFloatArray(), tolerance[l] * weightSum);
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " entry " + i);
        }
    }
}
