package io.dpdm.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.nn.PerExampleGradients;
import io.dpdm.nn.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DpSgdTest {
    static final int N = 24;
    static final int D = 3;

    NDManager manager;
    List<double[]> ledger;

    @BeforeAll
    static void engine() {
        Torch.engine();
    }

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        ledger = new ArrayList<>();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    DpSgd engine(DpSgdConfig config, Map<String, NDArray> params, Optimizer optimizer, DpRandom random) {
        return new DpSgd(config, params, optimizer, new Ema(params, 0.999), random,
                (q, sigma) -> ledger.add(new double[] {q, sigma}));
    }

    static float[] flat(Map<String, NDArray> params) {
        float[] w = params.get("w").toFloatArray();
        float[] out = Arrays.copyOf(w, w.length + 1);
        out[w.length] = params.get("b").toFloatArray()[0];
        return out;
    }

    @Test
    void fullStepEqualsHandComputationWithAdam() {
        double q = 0.5;
        double sigma = 0.8;
        double c = 1.0;
        double lr = 0.05;
        long seed = 77;
        LinearRegression model = new LinearRegression(N, D, 1);
        Map<String, NDArray> params = LinearRegression.parameters(manager, D);
        DpSgd dp = engine(new DpSgdConfig(N, q, sigma, c, Clipping.FLAT, 5), params, new Adam(params, lr),
                DpRandom.publicSeed(seed));

        double[] w = {0.1, 0.2, 0.3};
        double b = -0.2;
        double[] m = new double[D + 1];
        double[] v = new double[D + 1];
        int clippedSeen = 0;
        for (int t = 0; t < 3; t++) {
            model.requested.clear();
            StepReport report = dp.step(model.source(params));
            int[] batch = model.requested.stream().flatMapToInt(Arrays::stream).toArray();
            assertArrayEquals(new PoissonSampler(N, q).sample(DpRandom.publicSeed(seed), t), batch);
            assertEquals(batch.length, report.batchSize());
            assertEquals((batch.length + 4) / 5, report.microBatches());
            assertTrue(model.requested.stream().allMatch(r -> r.length <= 5));

            // Clip, sum (double), add the float32 noise of step t in w-then-b order, divide by N q.
            double[] sum = new double[D + 1];
            for (int i : batch) {
                double[] g = model.gradient(i, w, b);
                double norm = 0;
                for (double gj : g) {
                    norm += gj * gj;
                }
                norm = Math.sqrt(norm);
                double factor = Math.min(1, c / (norm + 1e-6));
                clippedSeen += factor < 1 ? 1 : 0;
                for (int j = 0; j <= D; j++) {
                    sum[j] += factor * g[j];
                }
            }
            DpRandom.Stream noise = DpRandom.publicSeed(seed).stream(DpRandom.Purpose.NOISE, t);
            float[] zw = new float[D];
            float[] zb = new float[1];
            noise.fillGaussian(zw, sigma * c);
            noise.fillGaussian(zb, sigma * c);
            // Adam, PyTorch formula, in double.
            int step = t + 1;
            for (int j = 0; j <= D; j++) {
                double grad = (sum[j] + (j < D ? zw[j] : zb[0])) / (N * q);
                m[j] = 0.9 * m[j] + 0.1 * grad;
                v[j] = 0.999 * v[j] + 0.001 * grad * grad;
                double denom = Math.sqrt(v[j]) / Math.sqrt(1 - Math.pow(0.999, step)) + 1e-8;
                double delta = lr / (1 - Math.pow(0.9, step)) * m[j] / denom;
                if (j < D) {
                    w[j] -= delta;
                } else {
                    b -= delta;
                }
            }
            float[] actual = flat(params);
            for (int j = 0; j < D; j++) {
                assertEquals(w[j], actual[j], 2e-5, "step " + t + " w" + j);
            }
            assertEquals(b, actual[D], 2e-5, "step " + t + " b");
        }
        assertTrue(clippedSeen > 0, "the data must exercise clipping");
        assertEquals(3, ledger.size());
        assertEquals(3, dp.steps());
    }

    @Test
    void microBatchingGivesTheSameUpdateAsOneBatch() {
        LinearRegression model = new LinearRegression(N, D, 2);
        float[][] results = new float[2][];
        int[] micro = {3, 1000};
        for (int k = 0; k < 2; k++) {
            Map<String, NDArray> params = LinearRegression.parameters(manager, D);
            DpSgd dp = engine(new DpSgdConfig(N, 0.6, 1.1, 1.0, Clipping.FLAT, micro[k]), params,
                    new Adam(params, 0.01), DpRandom.publicSeed(5));
            for (int t = 0; t < 4; t++) {
                dp.step(model.source(params));
            }
            results[k] = flat(params);
        }
        assertArrayEquals(results[1], results[0], 1e-6f);
    }

    @Test
    void nonFiniteExampleGradientIsReplacedByZero() {
        LinearRegression model = new LinearRegression(N, D, 3);
        float[][] results = new float[2][];
        int[] reports = new int[2];
        for (int k = 0; k < 2; k++) {
            Map<String, NDArray> params = LinearRegression.parameters(manager, D);
            DpSgd dp = engine(new DpSgdConfig(N, 1.0, 0.5, 1.0, Clipping.FLAT, 7), params, new Sgd(params, 0.1, 0),
                    DpRandom.publicSeed(9));
            float poison = k == 0 ? Float.NaN : 0f;
            float poisonB = k == 0 ? Float.POSITIVE_INFINITY : 0f;
            // Examples 4 and 11 get a NaN (k = 0) or an all-zero gradient (k = 1, the truth).
            GradientSource source = (indices, randomness, m) -> {
                Map<String, NDArray> g = model.perExample(params, indices, m);
                float[] gw = g.get("w").toFloatArray();
                float[] gb = g.get("b").toFloatArray();
                for (int r = 0; r < indices.length; r++) {
                    if (indices[r] == 4) {
                        Arrays.fill(gw, r * D, (r + 1) * D, 0f);
                        gw[r * D] = poison;
                        gb[r] = 0;
                    } else if (indices[r] == 11) {
                        Arrays.fill(gw, r * D, (r + 1) * D, 0f);
                        gb[r] = poisonB;
                    }
                }
                Map<String, NDArray> out = new LinkedHashMap<>();
                out.put("w", m.create(gw, g.get("w").getShape()));
                out.put("b", m.create(gb, g.get("b").getShape()));
                return PerExampleGradients.of(out);
            };
            reports[k] = dp.step(source).nonFiniteExamples();
            results[k] = flat(params);
        }
        assertEquals(2, reports[0]);
        assertEquals(0, reports[1]);
        for (float value : results[0]) {
            assertTrue(Float.isFinite(value));
        }
        assertArrayEquals(results[1], results[0], 0f);
    }

    @Test
    void emptyBatchStillAddsNoiseAndAdvancesTheLedger() {
        double q = 1e-9;
        double sigma = 2.0;
        double c = 0.5;
        Map<String, NDArray> params = LinearRegression.parameters(manager, D);
        float[] before = flat(params);
        DpSgd dp = engine(new DpSgdConfig(N, q, sigma, c, Clipping.FLAT, 4), params, new Sgd(params, 1e-8, 0),
                DpRandom.publicSeed(13));
        StepReport report = dp.step((indices, randomness, m) -> {
            throw new AssertionError("an empty batch must not ask for gradients");
        });
        assertEquals(0, report.batchSize());
        assertEquals(0, report.microBatches());
        assertEquals(1, ledger.size());
        assertArrayEquals(new double[] {q, sigma}, ledger.get(0));

        DpRandom.Stream noise = DpRandom.publicSeed(13).stream(DpRandom.Purpose.NOISE, 0);
        float[] z = new float[D + 1];
        float[] zw = new float[D];
        float[] zb = new float[1];
        noise.fillGaussian(zw, sigma * c);
        noise.fillGaussian(zb, sigma * c);
        System.arraycopy(zw, 0, z, 0, D);
        z[D] = zb[0];
        float[] after = flat(params);
        for (int j = 0; j <= D; j++) {
            double expected = before[j] - 1e-8 * ((double) z[j] / (N * q));
            assertEquals(expected, after[j], 1e-6 * Math.max(1, Math.abs(expected)), "coordinate " + j);
        }
    }

    @Test
    void ledgerHookIsCalledOncePerLogicalStepBeforeDataIsTouched() {
        LinearRegression model = new LinearRegression(N, D, 4);
        Map<String, NDArray> params = LinearRegression.parameters(manager, D);
        DpSgd dp = engine(new DpSgdConfig(N, 0.1, 3.0, 1.0, Clipping.PER_LAYER, 2), params, new Adam(params, 1e-3),
                DpRandom.publicSeed(21));
        for (int t = 0; t < 7; t++) {
            dp.step(model.source(params));
            assertEquals(t + 1, ledger.size());
        }
        ledger.forEach(call -> assertArrayEquals(new double[] {0.1, 3.0}, call));

        model.requested.clear();
        DpSgd refusing = new DpSgd(new DpSgdConfig(N, 1.0, 3.0, 1.0, Clipping.FLAT, 2), params, new Adam(params, 1e-3),
                new Ema(params, 0.999), DpRandom.publicSeed(21), (q, s) -> {
                    throw new IllegalStateException("budget exhausted");
                });
        assertThrows(IllegalStateException.class, () -> refusing.step(model.source(params)));
        assertTrue(model.requested.isEmpty(), "no data touched when the ledger refuses");
        assertEquals(0, refusing.steps());
    }

    @Test
    void refusesAGradientSourceThatReturnsTheWrongNumberOfExamples() {
        LinearRegression model = new LinearRegression(N, D, 7);
        Map<String, NDArray> params = LinearRegression.parameters(manager, D);
        DpSgd dp = engine(new DpSgdConfig(N, 1.0, 1.0, 1.0, Clipping.FLAT, 4), params, new Adam(params, 1e-3),
                DpRandom.publicSeed(1));
        GradientSource clean = model.source(params);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dp.step((indices, randomness, m) -> clean.perExample(Arrays.copyOf(indices, indices.length - 1), randomness,
                        m)));
        assertTrue(e.getMessage().contains("3 per-example rows for a micro-batch of 4"), e.getMessage());
        assertEquals(1, dp.steps(), "the step was counted: its randomness is never reused");
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        LinearRegression model = new LinearRegression(N, D, 8);
        Map<String, NDArray> params = LinearRegression.parameters(manager, D);
        DpSgd dp = engine(new DpSgdConfig(N, 0.5, 1.0, 1.0, Clipping.FLAT, 3), params, new Adam(params, 1e-3),
                DpRandom.publicSeed(4));
        dp.step(model.source(params));
        int live = ((BaseNDManager) manager).getManagedArrays().size();
        for (int t = 0; t < 20; t++) {
            dp.step(model.source(params));
        }
        assertEquals(live, ((BaseNDManager) manager).getManagedArrays().size());
    }

    @Test
    void secureModeDrawsEveryStepsKeysFromTheSecureSource() {
        LinearRegression model = new LinearRegression(N, D, 5);
        Map<String, NDArray> params = LinearRegression.parameters(manager, D);
        DpRandomTest.RecordingSecureRandom source = new DpRandomTest.RecordingSecureRandom();
        DpSgd dp = engine(new DpSgdConfig(N, 0.5, 1.0, 1.0, Clipping.FLAT, 8), params, new Adam(params, 1e-3),
                DpRandom.fresh(source));
        dp.step(model.source(params));
        dp.step(model.source(params));
        assertEquals(6, source.calls, "one key for sampling, one for the per-example draws and one for noise, per step");
    }

    @Test
    void privateGradientRefusesReuse() {
        Map<String, Shape> shapes = Map.of("w", new Shape(2));
        PrivateGradient g = new PrivateGradient(shapes, new Clipper(Clipping.FLAT, 1), manager);
        g.accumulate(PerExampleGradients.of(Map.of("w", manager.create(new float[] {3, 4}, new Shape(1, 2)))));
        Map<String, NDArray> out = g.release(g.noise(DpRandom.publicSeed(1).stream(DpRandom.Purpose.NOISE, 0), 0.0), 2.0);
        // sigma = 0: (3, 4) clipped to norm 1 is (0.6, 0.8), divided by N q = 2.
        assertArrayEquals(new float[] {0.3f, 0.4f}, out.get("w").toFloatArray(), 1e-6f);
        DpRandom.Stream noise = DpRandom.publicSeed(1).stream(DpRandom.Purpose.NOISE, 1);
        assertThrows(IllegalStateException.class, () -> g.release(g.noise(noise, 1.0), 2.0));
        PrivateGradient larger = new PrivateGradient(Map.of("v", new Shape(3)), new Clipper(Clipping.FLAT, 1), manager);
        assertThrows(IllegalArgumentException.class, () -> larger.release(g.noise(noise, 1.0), 2.0),
                "noise drawn for another parameter count");
        assertThrows(IllegalArgumentException.class, () -> larger.noise(noise, -1.0));
        assertThrows(IllegalStateException.class, () -> g.accumulate(
                PerExampleGradients.of(Map.of("w", manager.create(new float[] {1, 1}, new Shape(1, 2))))));
        assertThrows(IllegalArgumentException.class, () -> new PrivateGradient(shapes, new Clipper(Clipping.FLAT, 1),
                manager).accumulate(PerExampleGradients.of(
                        Map.of("w", manager.create(new float[] {1, 1, 1}, new Shape(1, 3))))));
    }

    @Test
    void checkpointRestoreContinuesExactly() throws Exception {
        LinearRegression model = new LinearRegression(N, D, 6);
        DpSgdConfig config = new DpSgdConfig(N, 0.4, 1.3, 1.0, Clipping.FLAT, 4);
        Map<String, NDArray> straight = LinearRegression.parameters(manager, D);
        DpSgd a = engine(config, straight, new Adam(straight, 0.02), DpRandom.publicSeed(8));
        for (int t = 0; t < 5; t++) {
            a.step(model.source(straight));
        }

        Map<String, NDArray> first = LinearRegression.parameters(manager, D);
        DpSgd b = engine(config, first, new Adam(first, 0.02), DpRandom.publicSeed(8));
        for (int t = 0; t < 2; t++) {
            b.step(model.source(first));
        }
        ObjectMapper json = new ObjectMapper();
        DpSgdState state = json.readValue(json.writeValueAsString(b.state()), DpSgdState.class);
        Map<String, NDArray> savedArrays = new LinkedHashMap<>();
        b.stateArrays().forEach((k, arr) -> savedArrays.put(k, arr.duplicate()));
        Map<String, NDArray> resumed = new LinkedHashMap<>();
        first.forEach((k, arr) -> resumed.put(k, arr.duplicate()));

        DpSgd c = engine(config, resumed, new Adam(resumed, 0.02), DpRandom.publicSeed(8));
        c.restore(state, savedArrays);
        for (int t = 0; t < 3; t++) {
            c.step(model.source(resumed));
        }
        assertArrayEquals(flat(straight), flat(resumed), 0f);
        assertArrayEquals(a.ema().weights().get("w").toFloatArray(), c.ema().weights().get("w").toFloatArray(), 0f);
        assertEquals(a.state(), c.state());
    }

    @Test
    void emaUsesWarmUpDecayAndSgdMomentumFollowsPyTorch() {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("p", manager.create(new float[] {1f, -2f}, new Shape(2)));
        Ema ema = new Ema(params, 0.9);
        Sgd sgd = new Sgd(params, 0.5, 0.8);
        double[] p = {1, -2};
        double[] avg = {1, -2};
        double[] buf = {0, 0};
        float[][] grads = {{1f, 2f}, {-1f, 0.5f}, {3f, -3f}, {0.25f, 1f}};
        for (int n = 1; n <= grads.length; n++) {
            sgd.update(Map.of("p", manager.create(grads[n - 1], new Shape(2))));
            ema.update();
            double d = Math.min(0.9, (1.0 + n) / (10.0 + n));
            for (int j = 0; j < 2; j++) {
                buf[j] = 0.8 * buf[j] + grads[n - 1][j];
                p[j] -= 0.5 * buf[j];
                avg[j] = d * avg[j] + (1 - d) * p[j];
            }
            float[] actualP = params.get("p").toFloatArray();
            float[] actualAvg = ema.weights().get("p").toFloatArray();
            for (int j = 0; j < 2; j++) {
                assertEquals(p[j], actualP[j], 1e-5, "param after update " + n);
                assertEquals(avg[j], actualAvg[j], 1e-5, "EMA after update " + n);
            }
        }
        assertEquals(4, ema.updates());
        assertEquals(4, sgd.steps());
    }
}
