package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dpdm.diffusion.Denoiser;
import java.util.Arrays;

/**
 * One step of a sampler from level t to tNext (tNext = 0 on the last step) for the process
 * x = x0 + sigma n, whose probability-flow ODE is dx/dsigma = (x - D(x; sigma)) / sigma (EDM's
 * ODE with sigma(t) = t).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Solver.Euler.class, name = "euler"),
    @JsonSubTypes.Type(value = Solver.EulerMaruyama.class, name = "euler-maruyama"),
    @JsonSubTypes.Type(value = Solver.Heun.class, name = "heun"),
    @JsonSubTypes.Type(value = Solver.Stochastic.class, name = "stochastic")
})
public sealed interface Solver {
    /**
     * @param d the denoiser
     * @param x current state at level t
     * @param steps N, the grid size (the churn rate is S_churn / N)
     * @param labels per-row labels or null
     * @param noise the batch's per-image noise source
     */
    NDArray step(Denoiser d, NDArray x, double t, double tNext, int steps, int[] labels, ImageNoise noise);

    /**
     * Euler on the probability-flow ODE (DPDM's "DDIM"): x += (tNext - t)(x - D(x; t)) / t. The
     * final step to 0 gives exactly x = D(x; sigma_min).
     */
    record Euler() implements Solver {
        @Override
        public NDArray step(Denoiser d, NDArray x, double t, double tNext, int steps, int[] labels,
                ImageNoise noise) {
            NDArray denoised = d.denoise(x, fill(x, t), labels);
            return tNext == 0 ? denoised : x.add(x.sub(denoised).mul((tNext - t) / t));
        }
    }

    /**
     * Euler-Maruyama on the reverse SDE dx = -2 sigma score dsigma + sqrt(2 sigma) dw with
     * score = (D - x)/sigma^2 (DPDM's stochastic "DDIM"):
     * x += 2 (tNext - t)(x - D)/t + sqrt(2 (t - tNext) t) z; the last step is x = D(x; sigma_min).
     */
    record EulerMaruyama() implements Solver {
        @Override
        public NDArray step(Denoiser d, NDArray x, double t, double tNext, int steps, int[] labels,
                ImageNoise noise) {
            NDArray denoised = d.denoise(x, fill(x, t), labels);
            if (tNext == 0) {
                return denoised;
            }
            NDArray z = noise.next(x.getManager());
            return x.add(x.sub(denoised).mul(2 * (tNext - t) / t)).add(z.mul(Math.sqrt(2 * (t - tNext) * t)));
        }
    }

    /** EDM's deterministic Heun sampler (Algorithm 1): Euler, then a trapezoidal correction. */
    record Heun() implements Solver {
        @Override
        public NDArray step(Denoiser d, NDArray x, double t, double tNext, int steps, int[] labels,
                ImageNoise noise) {
            return heun(d, x, t, tNext, labels);
        }
    }

    /**
     * EDM's stochastic sampler (Algorithm 2): for S_min &lt;= t &lt;= S_max raise the level to
     * tHat = t (1 + gamma) with gamma = min(S_churn / N, gammaMax) by adding fresh noise of std
     * S_noise sqrt(tHat^2 - t^2), then take a Heun step from tHat to tNext.
     *
     * @param sChurn S_churn, the total amount of churn (0 = deterministic Heun)
     * @param sMin lowest level that gets churn
     * @param sMax highest level that gets churn
     * @param sNoise S_noise, inflation of the added noise (1 = none)
     * @param gammaMax cap on gamma: {@link #EDM_GAMMA_MAX} (EDM paper, keeps tHat below
     *     sqrt 2 t) or {@link #DPDM_GAMMA_MAX} (DPDM reference code)
     */
    record Stochastic(double sChurn, double sMin, double sMax, double sNoise, double gammaMax) implements Solver {
        public static final double EDM_GAMMA_MAX = Math.sqrt(2) - 1;
        public static final double DPDM_GAMMA_MAX = 1;
        /** DPDM's published churn (MNIST eps 1, best FID): S_churn 100, S_min 0.05, S_max 50, S_noise 1. */
        public static final Stochastic DPDM = new Stochastic(100, 0.05, 50, 1, DPDM_GAMMA_MAX);

        public Stochastic {
            if (!(sChurn >= 0) || !Double.isFinite(sChurn)) {
                throw new IllegalArgumentException("S_churn must be a finite number >= 0, got " + sChurn);
            }
            if (!(sMin >= 0) || !(sMax >= sMin)) {
                throw new IllegalArgumentException("churn range needs 0 <= S_min <= S_max, got " + sMin + ", " + sMax);
            }
            if (!(sNoise > 0) || !Double.isFinite(sNoise)) {
                throw new IllegalArgumentException("S_noise must be a finite number > 0, got " + sNoise);
            }
            if (!(gammaMax >= 0) || !Double.isFinite(gammaMax)) {
                throw new IllegalArgumentException("gamma cap must be a finite number >= 0, got " + gammaMax);
            }
        }

        /** The churn factor gamma at level t for an N-step grid. */
        public double gamma(double t, int steps) {
            return t >= sMin && t <= sMax ? Math.min(sChurn / steps, gammaMax) : 0;
        }

        @Override
        public NDArray step(Denoiser d, NDArray x, double t, double tNext, int steps, int[] labels,
                ImageNoise noise) {
            double gamma = gamma(t, steps);
            if (gamma == 0) {
                return heun(d, x, t, tNext, labels);
            }
            double tHat = t * (1 + gamma);
            NDArray z = noise.next(x.getManager());
            NDArray xHat = x.add(z.mul(sNoise * Math.sqrt(tHat * tHat - t * t)));
            return heun(d, xHat, tHat, tNext, labels);
        }
    }

    /** Heun from t to tNext; the step to 0 stays first order (EDM Algorithm 1, line 7). */
    private static NDArray heun(Denoiser d, NDArray x, double t, double tNext, int[] labels) {
        NDArray slope = x.sub(d.denoise(x, fill(x, t), labels)).div(t);
        NDArray euler = x.add(slope.mul(tNext - t));
        if (tNext == 0) {
            return euler;
        }
        NDArray slopeNext = euler.sub(d.denoise(euler, fill(euler, tNext), labels)).div(tNext);
        return x.add(slope.add(slopeNext).mul((tNext - t) / 2));
    }

    private static double[] fill(NDArray x, double sigma) {
        double[] s = new double[Math.toIntExact(x.getShape().get(0))];
        Arrays.fill(s, sigma);
        return s;
    }
}
