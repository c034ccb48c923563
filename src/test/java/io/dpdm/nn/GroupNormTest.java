package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * {@link GroupNorm#forwardSilu} in training passes: the gain and shift gradients of
     * sum(r * SiLU(y)) against the formulas in double precision (d/dy = r * s (1 + y (1 - s)),
     * s = sigmoid y), and the input gradient against the unfused chain (layer-norm kernel,
     * affine, x * sigmoid x), which shares no kernel with the fused module. Several examples
     * per pass take the module's multiply-add route, one example or shared weights its folded
     * norm.
     */
    @ParameterizedTest(name = "B {0} x K {1}, per example {2}")
    @CsvSource({"3, 2, true", "1, 3, true", "3, 2, false"})
    void fusedSiluTrainsLikeTheFormulas(int examples, int draws, boolean perExample) {
        Case c = Case.random(examples, draws, 11);
        try (ParameterStore s = new ParameterStore(1); NDManager step = Torch.engine().newBaseManager()) {
            GroupNorm norm = c.norm(s, step);
            NDArray weights = step.create(c.r, c.shape());
            NDArray fusedInput = step.create(c.x, c.shape());
            NDArray chainInput = step.create(c.x, c.shape());
            fusedInput.setRequiresGradient(true);
            chainInput.setRequiresGradient(true);
            Map<String, NDArray> g = c.gradients(step, s, perExample,
                    w -> c.rowLoss(w, norm.forwardSilu(w, fusedInput), weights));
            c.gradients(step, s, perExample,
                    w -> c.rowLoss(w, Activation.SILU.forward(w, norm.forward(w, chainInput)), weights));
            assertArrayEquals(chainInput.getGradient().toFloatArray(), fusedInput.getGradient().toFloatArray(), 1e-4f,
                    "input gradient");
            c.assertAffineGradients(g, perExample, y -> {
                double sigmoid = 1 / (1 + Math.exp(-y));
                return sigmoid * (1 + y * (1 - sigmoid));
            });
        }
    }

    private static void check(int examples, int draws, boolean perExample) {
        Case c = Case.random(examples, draws, 7);
        try (ParameterStore s = new ParameterStore(1); NDManager step = Torch.engine().newBaseManager()) {
            GroupNorm norm = c.norm(s, step);
            NDArray input = step.create(c.x, c.shape());
            NDArray weights = step.create(c.r, c.shape());

            float[] y = Gradients.forward(step, s, examples, draws, w -> norm.forward(w, input)).toFloatArray();
            float[] expected = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                expected[i] = (float) c.y(i);
            }
            assertArrayEquals(expected, y, 1e-4f, "output");
            // the fused kernels of inference passes against SiLU of the same formula
            float[] fused = Gradients.forward(step, s, examples, draws, w -> norm.forwardSilu(w, input)).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) (expected[i] / (1 + Math.exp(-expected[i])));
            }
            assertArrayEquals(expected, fused, 1e-4f, "fused output");

            Map<String, NDArray> g = c.gradients(step, s, perExample, w -> c.rowLoss(w, norm.forward(w, input), weights));
            c.assertAffineGradients(g, perExample, yValue -> 1);
        }
    }

    /**
     * Random activations x (rows = draws * examples, draw-major), loss weights r, gain and shift,
     * and x_hat, the normalised x in double precision.
     */
    private record Case(int examples, int draws, float[] x, float[] r, float[] gain, float[] shift, double[] xHat) {
        static Case random(int examples, int draws, long seed) {
            int rows = examples * draws;
            Random random = new Random(seed);
            float[] x = gaussian(random, rows * C * SPATIAL, 3, 1.5);
            float[] r = gaussian(random, rows * C * SPATIAL, 1, 0);
            float[] gain = gaussian(random, C, 0.5, 1);
            float[] shift = gaussian(random, C, 0.5, 0);
            return new Case(examples, draws, x, r, gain, shift, normalised(x, rows));
        }

        Shape shape() {
            return new Shape((long) examples * draws, C, 2, SPATIAL / 2);
        }

        /** The layer, with this case's gain and shift in {@code s}. */
        GroupNorm norm(ParameterStore s, NDManager step) {
            GroupNorm norm = GroupNorm.create(s, "n", C, GROUPS, EPS);
            Torch.assign(s.get("n.gain"), step.create(gain));
            Torch.assign(s.get("n.shift"), step.create(shift));
            return norm;
        }

        /** The formula's output at flat index i: x_hat * gain_c + shift_c. */
        double y(int i) {
            int c = i / SPATIAL % C;
            return xHat[i] * gain[c] + shift[c];
        }

        /** Row loss sum(r * out), averaged over each example's draws. */
        NDArray rowLoss(Weights w, NDArray out, NDArray weights) {
            return Gradients.meanOverDraws(w, out.mul(weights).reshape((long) examples * draws, -1).sum(new int[] {1}));
        }

        Map<String, NDArray> gradients(NDManager step, ParameterStore s, boolean perExample,
                Function<Weights, NDArray> loss) {
            return perExample ? Gradients.perExample(step, s, examples, draws, null, loss)
                    : Gradients.batch(step, s, examples, draws, null, loss);
        }

        /**
         * For a loss sum(r * f(y)) averaged over draws: d/d gain_c = sum r f'(y) x_hat / K and
         * d/d shift_c = sum r f'(y) / K over the rows (of one example, per example) and positions of channel c.
         */
        void assertAffineGradients(Map<String, NDArray> g, boolean perExample, DoubleUnaryOperator derivative) {
            int owners = perExample ? examples : 1;
            double[] gainGrad = new double[owners * C];
            double[] shiftGrad = new double[owners * C];
            for (int i = 0; i < r.length; i++) {
                int row = i / (C * SPATIAL);
                int at = (perExample ? row % examples : 0) * C + i / SPATIAL % C;
                double dy = r[i] * derivative.applyAsDouble(y(i)) / draws;
                gainGrad[at] += dy * xHat[i];
                shiftGrad[at] += dy;
            }
            assertArrayEquals(toFloat(gainGrad), g.get("n.gain").toFloatArray(), 1e-4f, "gain gradient");
            assertArrayEquals(toFloat(shiftGrad), g.get("n.shift").toFloatArray(), 1e-4f, "shift gradient");
        }
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
