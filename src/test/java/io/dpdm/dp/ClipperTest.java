package io.dpdm.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Torch;
import io.dpdm.nn.PerExampleGradients;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClipperTest {
    static final int B = 40;
    static final int[] SIZES = {6, 3, 1}; // three "layers": (B,2,3), (B,3), (B,1)

    @BeforeAll
    static void engine() {
        Torch.engine();
    }

    /** Per-example gradients whose norms spread over [0.05, 20]. */
    static float[][][] gradients(long seed) {
        Random r = new Random(seed);
        float[][][] g = new float[SIZES.length][B][];
        for (int b = 0; b < B; b++) {
            double scale = 0.05 * Math.pow(400, b / (double) (B - 1));
            for (int l = 0; l < SIZES.length; l++) {
                g[l][b] = new float[SIZES[l]];
                for (int j = 0; j < SIZES[l]; j++) {
                    g[l][b][j] = (float) (scale * r.nextGaussian() / 2);
                }
            }
        }
        return g;
    }

    static final List<String> NAMES = List.of("l0", "l1", "l2");

    static PerExampleGradients arrays(NDManager m, float[][][] g) {
        Shape[] shapes = {new Shape(B, 2, 3), new Shape(B, 3), new Shape(B, 1)};
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int l = 0; l < SIZES.length; l++) {
            float[] flat = new float[B * SIZES[l]];
            for (int b = 0; b < B; b++) {
                System.arraycopy(g[l][b], 0, flat, b * SIZES[l], SIZES[l]);
            }
            out.put(NAMES.get(l), m.create(flat, shapes[l]));
        }
        return PerExampleGradients.of(out);
    }

    static double norm(float[]... parts) {
        double s = 0;
        for (float[] p : parts) {
            for (float v : p) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void flatClippingBoundsEveryNormAndLeavesSmallOnesUnchanged() {
        double c = 1.0;
        float[][][] g = gradients(1);
        try (NDManager m = NDManager.newBaseManager()) {
            double[][] f = new Clipper(Clipping.FLAT, c).factors(arrays(m, g).squaredNorms(NAMES));
            int clipped = 0;
            for (int b = 0; b < B; b++) {
                double n = norm(g[0][b], g[1][b], g[2][b]);
                for (int l = 0; l < SIZES.length; l++) {
                    assertEquals(f[0][b], f[l][b], 0.0, "flat: one factor per example");
                }
                if (n <= c - 1e-3) {
                    assertEquals(1.0, f[0][b], 0.0, "unclipped example " + b + " unchanged");
                } else {
                    clipped++;
                    assertTrue(f[0][b] * n <= c, "clipped norm " + f[0][b] * n + " <= C");
                    assertEquals(c / (n + 1e-6), f[0][b], 1e-6 * f[0][b], "factor of example " + b);
                }
            }
            assertTrue(clipped > 5 && clipped < B - 5, "test data must exercise both cases: " + clipped);
        }
    }

    @Test
    void perLayerClippingSplitsCBySqrtL() {
        double c = 1.5;
        double layerC = c / Math.sqrt(SIZES.length);
        float[][][] g = gradients(2);
        try (NDManager m = NDManager.newBaseManager()) {
            double[][] f = new Clipper(Clipping.PER_LAYER, c).factors(arrays(m, g).squaredNorms(NAMES));
            for (int b = 0; b < B; b++) {
                double total = 0;
                for (int l = 0; l < SIZES.length; l++) {
                    double n = norm(g[l][b]);
                    double expected = Math.min(1, layerC / (n + 1e-6));
                    assertEquals(expected, f[l][b], 1e-6 * expected, "layer " + l + " example " + b);
                    total += Math.pow(f[l][b] * n, 2);
                }
                assertTrue(Math.sqrt(total) <= c, "whole example within C");
            }
        }
    }

    @Test
    void clippedSumMatchesPlainJavaAndNonFiniteExamplesContributeZero() {
        float[][][] g = gradients(3);
        g[0][4][2] = Float.NaN;
        g[1][9][0] = Float.POSITIVE_INFINITY;
        Clipper clipper = new Clipper(Clipping.FLAT, 1.0);
        try (NDManager m = NDManager.newBaseManager()) {
            PerExampleGradients arrays = arrays(m, g);
            double[][] f = clipper.factors(arrays.squaredNorms(NAMES));
            assertEquals(0.0, f[2][4], 0.0, "NaN in layer 0 zeroes the whole example");
            assertEquals(0.0, f[0][9], 0.0, "Inf in layer 1 zeroes the whole example");
            Shape[] shapes = {new Shape(2, 3), new Shape(3), new Shape(1)};
            for (int l = 0; l < SIZES.length; l++) {
                float[] weights = new float[B];
                for (int b = 0; b < B; b++) {
                    weights[b] = (float) f[l][b];
                }
                NDArray clipped = arrays.weightedSum(NAMES.get(l), weights);
                assertEquals(shapes[l], clipped.getShape());
                float[] sum = clipped.toFloatArray();
                for (int j = 0; j < SIZES[l]; j++) {
                    double expected = 0;
                    for (int b = 0; b < B; b++) {
                        if (b != 4 && b != 9) {
                            expected += Math.min(1, 1.0 / (norm(g[0][b], g[1][b], g[2][b]) + 1e-6)) * g[l][b][j];
                        }
                    }
                    assertEquals(expected, sum[j], 1e-5, "layer " + l + " coordinate " + j);
                }
            }
        }
    }
}
