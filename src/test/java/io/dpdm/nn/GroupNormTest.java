package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * GroupNorm's output and the gradients of its gain and shift against the formulas evaluated
 * in double precision by hand, in shared and in per-example mode: y = (x - mean_g) /
 * sqrt(var_g + eps) * gain_c + shift_c; for the loss sum(r * y), d/d gain_c = sum r * xHat
 * and d/d shift_c = sum r over the rows and positions of channel c (of one example's draws,
 * averaged, per example). {@link GroupNorm#forwardSilu}'s fused module is checked against
 * SiLU of the same formula, in inference and in training passes.
 */
class GroupNormTest {
    private static final int C = 4;
    private static final int GROUPS = 2;
    private static final int SPATIAL = 6;
    private static final float EPS = 1e-5f;

    @Test
    void sharedWeightsMatchTheFormulas() {
        check(3, 1, false);
    }

    @Test
    void perExampleWeightsMatchTheFormulas() {
        check(3, 2, true);
    }

    @Test
    void fusedSiluTrainsLikeTheFormulasWithSeveralExamplesInAPass() {
        checkFusedSilu(3, 2, true);
    }

    @Test
    void fusedSiluTrainsLikeTheFormulasWithOneExampleInAPass() {
        checkFusedSilu(1, 3, true);
    }

    @Test
    void fusedSiluTrainsLikeTheFormulasWithSharedWeights() {
        checkFusedSilu(3, 2, false);
    }

    /**
     * {@link GroupNorm#forwardSilu} in training passes: the gain and shift gradients of
     * sum(r * SiLU(y)) against the formulas in double precision (d/dy = r * s (1 + y (1 - s)),
     * s = sigmoid y), and the input gradient against the unfused chain (layer-norm kernel,
     * affine, x * sigmoid x), which shares no kernel with the fused module.
     */
    private static void checkFusedSilu(int examples, int draws, boolean perExample) {
        int rows = examples * draws;
        Random random = new Random(11);
        float[] x = gaussian(random, rows * C * SPATIAL, 3, 1.5);
        float[] r = gaussian(random, rows * C * SPATIAL, 1, 0);
        float[] gain = gaussian(random, C, 0.5, 1);
        float[] shift = gaussian(random, C, 0.5, 0);
        double[] xHat = normalised(x, rows);
        try (ParameterStore s = new ParameterStore(1); NDManager step = Torch.engine().newBaseManager()) {
            GroupNorm norm = GroupNorm.create(s, "n", C, GROUPS, EPS);
            Torch.assign(s.get("n.gain"), step.create(gain));
            Torch.assign(s.get("n.shift"), step.create(shift));
            Shape shape = new Shape(rows, C, 2, SPATIAL / 2);
            NDArray weights = step.create(r, shape);
            NDArray fusedInput = step.create(x, shape);
            NDArray chainInput = step.create(x, shape);
            fusedInput.setRequiresGradient(true);
            chainInput.setRequiresGradient(true);
            Function<Weights, NDArray> fused = w -> Gradients.meanOverDraws(w,
                    norm.forwardSilu(w, fusedInput).mul(weights).reshape(rows, -1).sum(new int[] {1}));
            Function<Weights, NDArray> chain = w -> Gradients.meanOverDraws(w, Activation.SILU.forward(w,
                    norm.forward(w, chainInput)).mul(weights).reshape(rows, -1).sum(new int[] {1}));
            Map<String, NDArray> g = perExample ? Gradients.perExample(step, s, examples, draws, null, fused)
                    : Gradients.batch(step, s, examples, draws, null, fused);
            if (perExample) {
                Gradients.perExample(step, s, examples, draws, null, chain);
            } else {
                Gradients.batch(step, s, examples, draws, null, chain);
            }
            assertArrayEquals(chainInput.getGradient().toFloatArray(), fusedInput.getGradient().toFloatArray(), 1e-4f,
                    "input gradient");

            int owners = perExample ? examples : 1;
            double[] gainGrad = new double[owners * C];
            double[] shiftGrad = new double[owners * C];
            for (int i = 0; i < r.length; i++) {
                int row = i / (C * SPATIAL);
                int c = i / SPATIAL % C;
                int at = (perExample ? row % examples : 0) * C + c;
                double y = xHat[i] * gain[c] + shift[c];
                double sigmoid = 1 / (1 + Math.exp(-y));
                double dy = r[i] * sigmoid * (1 + y * (1 - sigmoid)) / draws;
                gainGrad[at] += dy * xHat[i];
                shiftGrad[at] += dy;
            }
            assertArrayEquals(toFloat(gainGrad), g.get("n.gain").toFloatArray(), 1e-4f, "gain gradient");
            assertArrayEquals(toFloat(shiftGrad), g.get("n.shift").toFloatArray(), 1e-4f, "shift gradient");
        }
    }

    private static void check(int examples, int draws, boolean perExample) {
        int rows = examples * draws;
        Random random = new Random(7);
        float[] x = gaussian(random, rows * C * SPATIAL, 3, 1.5);
        float[] r = gaussian(random, rows * C * SPATIAL, 1, 0);
        float[] gain = gaussian(random, C, 0.5, 1);
        float[] shift = gaussian(random, C, 0.5, 0);
        double[] xHat = normalised(x, rows);
        try (ParameterStore s = new ParameterStore(1); NDManager step = Torch.engine().newBaseManager()) {
            GroupNorm norm = GroupNorm.create(s, "n", C, GROUPS, EPS);
            Torch.assign(s.get("n.gain"), step.create(gain));
            Torch.assign(s.get("n.shift"), step.create(shift));
            Shape shape = new Shape(rows, C, 2, SPATIAL / 2);
            NDArray input = step.create(x, shape);
            NDArray weights = step.create(r, shape);

            float[] y = Gradients.forward(step, s, examples, draws, w -> norm.forward(w, input)).toFloatArray();
            float[] expected = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                int c = i / SPATIAL % C;
                expected[i] = (float) (xHat[i] * gain[c] + shift[c]);
            }
            assertArrayEquals(expected, y, 1e-4f, "output");
            // the fused kernels of inference passes against SiLU of the same formula
            float[] fused = Gradients.forward(step, s, examples, draws, w -> norm.forwardSilu(w, input)).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) (expected[i] / (1 + Math.exp(-expected[i])));
            }
            assertArrayEquals(expected, fused, 1e-4f, "fused output");

            Map<String, NDArray> g = perExample
                    ? Gradients.perExample(step, s, examples, draws, null, w -> loss(w, norm, input, weights))
                    : Gradients.batch(step, s, examples, draws, null, w -> loss(w, norm, input, weights));
            int owners = perExample ? examples : 1;
            double[] gainGrad = new double[owners * C];
            double[] shiftGrad = new double[owners * C];
            for (int i = 0; i < r.length; i++) {
                int row = i / (C * SPATIAL);
                int at = (perExample ? row % examples : 0) * C + i / SPATIAL % C;
                double perDraw = perExample ? 1.0 / draws : 1;
                gainGrad[at] += r[i] * xHat[i] * perDraw;
                shiftGrad[at] += r[i] * perDraw;
            }
            assertArrayEquals(toFloat(gainGrad), g.get("n.gain").toFloatArray(), 1e-4f, "gain gradient");
            assertArrayEquals(toFloat(shiftGrad), g.get("n.shift").toFloatArray(), 1e-4f, "shift gradient");
        }
    }

    /** Row loss sum(r * y), averaged over each example's draws. */
    private static NDArray loss(Weights w, GroupNorm norm, NDArray x, NDArray r) {
        NDArray y = norm.forward(w, x);
        return Gradients.meanOverDraws(w, y.mul(r).reshape(x.getShape().get(0), -1).sum(new int[] {1}));
    }

    /** (x - mean) / sqrt(var + eps) over each row's groups of C / GROUPS channels. */
    private static double[] normalised(float[] x, int rows) {
        int perGroup = C / GROUPS * SPATIAL;
        double[] out = new double[x.length];
        for (int start = 0; start < rows * C * SPATIAL; start += perGroup) {
            double mean = 0;
            for (int i = start; i < start + perGroup; i++) {
                mean += x[i] / (double) perGroup;
            }
            double var = 0;
            for (int i = start; i < start + perGroup; i++) {
                var += (x[i] - mean) * (x[i] - mean) / perGroup;
            }
            for (int i = start; i < start + perGroup; i++) {
                out[i] = (x[i] - mean) / Math.sqrt(var + EPS);
            }
        }
        return out;
    }

    private static float[] gaussian(Random random, int n, double std, double mean) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + std * random.nextGaussian());
        }
        return v;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
