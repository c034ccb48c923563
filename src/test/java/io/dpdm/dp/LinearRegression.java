package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.PerExampleGradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test model with closed-form per-example gradients: loss_i = (x_i . w + b - y_i)^2 / 2, so
 * dL/dw = r_i x_i and dL/db = r_i with r_i the residual. The NDArray source below is the
 * system-under-test's input; {@link #gradient} is the plain-Java truth the tests compare with.
 */
final class LinearRegression {
    final float[][] x;
    final float[] y;
    final List<int[]> requested = new ArrayList<>();

    LinearRegression(int n, int d, long seed) {
        Random r = new Random(seed);
        x = new float[n][d];
        y = new float[n];
        for (int i = 0; i < n; i++) {
            // Feature scales vary so some examples are clipped and some are not.
            double scale = 0.1 + 3 * r.nextDouble();
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (scale * r.nextGaussian());
            }
            y[i] = (float) r.nextGaussian();
        }
    }

    static Map<String, NDArray> parameters(NDManager m, int d) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        float[] w = new float[d];
        for (int j = 0; j < d; j++) {
            w[j] = 0.1f * (j + 1);
        }
        p.put("w", m.create(w, new Shape(d)));
        p.put("b", m.create(new float[] {-0.2f}, new Shape(1)));
        return p;
    }

    /** Per-example gradients computed with NDArray ops, as a training loop would. */
    GradientSource source(Map<String, NDArray> params) {
        return (indices, randomness, m) -> PerExampleGradients.of(perExample(params, indices, m));
    }

    /** The per-example gradients of {@link #source}, each (indices.length, ...), recording the request. */
    Map<String, NDArray> perExample(Map<String, NDArray> params, int[] indices, NDManager m) {
        requested.add(indices.clone());
        int d = x[0].length;
        float[] xb = new float[indices.length * d];
        float[] yb = new float[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(x[indices[k]], 0, xb, k * d, d);
            yb[k] = y[indices[k]];
        }
        NDArray xs = m.create(xb, new Shape(indices.length, d));
        NDArray residual = xs.matMul(params.get("w").reshape(d, 1))
                .add(params.get("b")).sub(m.create(yb, new Shape(indices.length, 1)));
        Map<String, NDArray> g = new LinkedHashMap<>();
        g.put("w", xs.mul(residual));
        g.put("b", residual);
        return g;
    }

    /** Plain-Java per-example gradient [w..., b] at weights (w, b). */
    double[] gradient(int i, double[] w, double b) {
        double r = b - y[i];
        for (int j = 0; j < w.length; j++) {
            r += x[i][j] * w[j];
        }
        double[] g = new double[w.length + 1];
        for (int j = 0; j < w.length; j++) {
            g[j] = r * x[i][j];
        }
        g[w.length] = r;
        return g;
    }
}
