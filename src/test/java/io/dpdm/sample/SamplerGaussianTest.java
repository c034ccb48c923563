package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.dpdm.nn.Torch;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every sampler against data N(mu, s^2) per pixel (mu = 0.3, s = 0.25), whose ideal denoiser is
 * exact, so the only errors are discretisation and Monte Carlo.
 *
 * <p>Tolerances: 2000 images x 16 independent pixels = 32,000 values, so the standard error is
 * s/sqrt(n) = 0.0014 for the mean and s^2 sqrt(2/n) = 0.0005 for the variance; we allow 5 of
 * them plus a discretisation allowance of 0.002 (mean) and 2% of s^2 (variance). The allowance
 * is backed by {@link #deterministicSamplersConvergeAtTheirOrder}: per-sample errors against the
 * exact flow are under 0.01 at the step counts used here.
 */
class SamplerGaussianTest {
    static final double MU = 0.3;
    static final double S = 0.25;
    static final double SMIN = 0.002;
    static final double SMAX = 80;
    static final int PIXELS = 16;
    static final long[] SEEDS = SampleJob.seedRange(1000, 2000);

    private NDManager m;

    @BeforeEach
    void start() {
        Torch.engine();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void stop() {
        m.close();
    }

    private float[] run(Solver solver, int steps, long[] seeds) {
        SampleJob job = new SampleJob(seeds, null, 0, 1, 4, 4, seeds.length);
        return new Sampler(new SamplerSettings(NoiseGrid.edm(steps), solver, 0), m)
                .sample(GaussianData.unconditional(MU, S), job, SamplingProgress.NONE);
    }

    /**
     * The exact probability-flow map for Gaussian data: the ODE keeps (x - mu)/sqrt(s^2 + sigma^2)
     * constant from sigma_max down to sigma_min, and the last step is D(x; sigma_min); outputs
     * are clipped to [-1, 1].
     */
    static double exactFlow(double start) {
        double atMin = MU + (start - MU) * Math.sqrt(S * S + SMIN * SMIN) / Math.sqrt(S * S + SMAX * SMAX);
        return Math.max(-1, Math.min(1, MU + (atMin - MU) * S * S / (S * S + SMIN * SMIN)));
    }

    /** Each image's first draw: sigma_max times the first normals of its own generator. */
    static double[] startingPoints(long[] seeds) {
        double[] x = new double[seeds.length * PIXELS];
        for (int i = 0; i < seeds.length; i++) {
            RandomGenerator g = RandomGeneratorFactory.of("L64X128MixRandom").create(seeds[i]);
            for (int j = 0; j < PIXELS; j++) {
                x[i * PIXELS + j] = SMAX * (float) g.nextGaussian();
            }
        }
        return x;
    }

    static double maxErrorVsExactFlow(float[] out, double[] start) {
        double max = 0;
        for (int i = 0; i < out.length; i++) {
            max = Math.max(max, Math.abs(out[i] - exactFlow(start[i])));
        }
        return max;
    }

    /** Mean and variance of clip(X, -1, 1) for X ~ N(mean, sd^2), by Simpson's rule over +-12 sd. */
    static double[] clippedMoments(double mean, double sd) {
        int n = 20_000;
        double lo = mean - 12 * sd;
        double h = 24 * sd / n;
        double m1 = 0;
        double m2 = 0;
        for (int i = 0; i <= n; i++) {
            double x = lo + i * h;
            double w = (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * h / 3;
            double density = Math.exp(-0.5 * Math.pow((x - mean) / sd, 2)) / (sd * Math.sqrt(2 * Math.PI));
            double c = Math.max(-1, Math.min(1, x));
            m1 += w * density * c;
            m2 += w * density * c * c;
        }
        return new double[] {m1, m2 - m1 * m1};
    }

    private static void assertMoments(float[] v, double[] expected, String what) {
        double sum = 0;
        for (float f : v) {
            sum += f;
        }
        double mean = sum / v.length;
        double sq = 0;
        for (float f : v) {
            sq += (f - mean) * (f - mean);
        }
        double var = sq / (v.length - 1);
        double seMean = S / Math.sqrt(v.length);
        double seVar = S * S * Math.sqrt(2.0 / v.length);
        assertEquals(expected[0], mean, 5 * seMean + 0.002, what + " mean");
        assertEquals(expected[1], var, 5 * seVar + 0.02 * S * S, what + " variance");
    }

    /** Deterministic samplers map N(0, sigma_max^2) through the exact flow's linear map. */
    static double[] deterministicTarget() {
        double scale = Math.sqrt(S * S + SMIN * SMIN) / Math.sqrt(S * S + SMAX * SMAX) * S * S / (S * S + SMIN * SMIN);
        return clippedMoments(MU - MU * scale, SMAX * scale);
    }

    /** Stochastic samplers forget the start: N(mu, s^2 + sigma_min^2) at sigma_min, then D. */
    static double[] stochasticTarget() {
        return clippedMoments(MU, S * S / Math.sqrt(S * S + SMIN * SMIN));
    }

    @Test
    void eulerOdeMatchesTheExactFlowAndTheData() {
        float[] out = run(new Solver.Euler(), 500, SEEDS);
        assertTrue(maxErrorVsExactFlow(out, startingPoints(SEEDS)) < 0.01);
        assertMoments(out, deterministicTarget(), "euler");
    }

    @Test
    void heunMatchesTheExactFlowAndTheDataAndAgreesWithEuler() {
        float[] heun = run(new Solver.Heun(), 50, SEEDS);
        assertTrue(maxErrorVsExactFlow(heun, startingPoints(SEEDS)) < 0.01);
        assertMoments(heun, deterministicTarget(), "heun");
        long[] few = SampleJob.seedRange(1000, 200);
        float[] euler = run(new Solver.Euler(), 500, few);
        for (int i = 0; i < euler.length; i++) {
            assertEquals(heun[i], euler[i], 0.015, "pixel " + i);
        }
    }

    /** Halving the step size divides the error by about 2 (Euler) and 4 (Heun). */
    @Test
    void deterministicSamplersConvergeAtTheirOrder() {
        long[] seeds = SampleJob.seedRange(7, 200);
        double[] start = startingPoints(seeds);
        double euler1 = maxErrorVsExactFlow(run(new Solver.Euler(), 100, seeds), start);
        double euler2 = maxErrorVsExactFlow(run(new Solver.Euler(), 200, seeds), start);
        double heun1 = maxErrorVsExactFlow(run(new Solver.Heun(), 32, seeds), start);
        double heun2 = maxErrorVsExactFlow(run(new Solver.Heun(), 64, seeds), start);
        assertTrue(euler1 / euler2 > 1.7 && euler1 / euler2 < 2.5, euler1 + " -> " + euler2);
        assertTrue(heun1 / heun2 > 3 && heun1 / heun2 < 6, heun1 + " -> " + heun2);
    }

    @Test
    void eulerMaruyamaMatchesTheData() {
        assertMoments(run(new Solver.EulerMaruyama(), 300, SEEDS), stochasticTarget(), "euler-maruyama");
    }

    @Test
    void edmChurnWithThePapersCapMatchesTheData() {
        Solver churn = new Solver.Stochastic(40, 0.05, 50, 1, Solver.Stochastic.EDM_GAMMA_MAX);
        assertMoments(run(churn, 150, SEEDS), stochasticTarget(), "edm churn");
    }

    @Test
    void edmChurnWithDpdmsCapMatchesTheData() {
        Solver churn = new Solver.Stochastic(100, 0.05, 50, 1, Solver.Stochastic.DPDM_GAMMA_MAX);
        assertMoments(run(churn, 200, SEEDS), stochasticTarget(), "dpdm churn");
    }

    /**
     * The churn must inject fresh noise: a deterministic solver's output is a fixed (monotone)
     * function of its starting point, so the two correlate almost perfectly, while EDM's churn
     * re-noises at every level between S_min and S_max and forgets the start. Without the
     * injected noise (S_noise = 0, or gamma = 0) the churn solver is Heun and this fails.
     */
    @Test
    void edmChurnInjectsNoiseThatForgetsTheStart() {
        double[] start = startingPoints(SEEDS);
        double heun = correlation(run(new Solver.Heun(), 40, SEEDS), start);
        double churn = correlation(run(new Solver.Stochastic(100, 0.05, 50, 1, Solver.Stochastic.DPDM_GAMMA_MAX), 40,
                SEEDS), start);
        assertTrue(heun > 0.99, "heun correlation " + heun);
        assertTrue(Math.abs(churn) < 0.2, "churn correlation with the starting noise " + churn);
    }

    private static double correlation(float[] out, double[] start) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < out.length; i++) {
            mx += out[i];
            my += start[i];
        }
        mx /= out.length;
        my /= out.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < out.length; i++) {
            sxy += (out[i] - mx) * (start[i] - my);
            sxx += (out[i] - mx) * (out[i] - mx);
            syy += (start[i] - my) * (start[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
