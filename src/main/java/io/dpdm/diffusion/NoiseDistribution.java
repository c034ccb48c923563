package io.dpdm.diffusion;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.random.RandomGenerator;

/** A training distribution of the noise level sigma (x = x0 + sigma n). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = NoiseDistribution.LogNormal.class, name = "log-normal"),
    @JsonSubTypes.Type(value = NoiseDistribution.LogSnrUniform.class, name = "logsnr-uniform"),
    @JsonSubTypes.Type(value = NoiseDistribution.VpTime.class, name = "vp-time"),
    @JsonSubTypes.Type(value = NoiseDistribution.LogUniform.class, name = "log-uniform"),
    @JsonSubTypes.Type(value = NoiseDistribution.Mixture.class, name = "mixture")
})
public sealed interface NoiseDistribution {
    /** One sigma > 0, drawn from {@code rng}. */
    double sample(RandomGenerator rng);

    /**
     * EDM's training distribution (Karras et al. 2022, sec. 5): ln sigma ~ Normal(pMean, pStd^2).
     * EDM and DPDM use pMean = -1.2, pStd = 1.2, which puts P(sigma > 1) at 0.16.
     */
    record LogNormal(double pMean, double pStd) implements NoiseDistribution {
        public LogNormal {
            if (!Double.isFinite(pMean) || !(pStd > 0 && Double.isFinite(pStd))) {
                throw new IllegalArgumentException(
                        "log-normal needs a finite P_mean and a finite P_std > 0, got " + pMean + ", " + pStd);
            }
        }

        @Override
        public double sample(RandomGenerator rng) {
            return Math.exp(pMean + pStd * rng.nextGaussian());
        }
    }

    /**
     * v-prediction's distribution as DPDM uses it: with logSNR = -2 ln sigma and the angle
     * t = (2/pi) atan(sigma), t is uniform between the t of {@code logSnrMax} and the t of
     * {@code logSnrMin}, and sigma = tan(pi t / 2). DPDM: logSNR 13 to -9, i.e. sigma from 0.0015 to
     * 90, which puts P(sigma > 1) at 0.50.
     */
    record LogSnrUniform(double logSnrMax, double logSnrMin) implements NoiseDistribution {
        public LogSnrUniform {
            if (!(logSnrMax > logSnrMin) || !Double.isFinite(logSnrMax) || !Double.isFinite(logSnrMin)) {
                throw new IllegalArgumentException(
                        "logSNR range needs finite max > min, got " + logSnrMax + ", " + logSnrMin);
            }
        }

        private static double angle(double logSnr) {
            return 2 / Math.PI * Math.atan(Math.exp(-logSnr / 2));
        }

        @Override
        public double sample(RandomGenerator rng) {
            double lo = angle(logSnrMax);
            double t = lo + (angle(logSnrMin) - lo) * rng.nextDouble();
            return Math.tan(Math.PI * t / 2);
        }
    }

    /**
     * VP training (Song et al. 2021; EDM Table 1): t ~ Uniform(epsT, 1) and
     * sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1); standard 19.9, 0.1, 1e-5.
     */
    record VpTime(double betaD, double betaMin, double epsT) implements NoiseDistribution {
        public VpTime {
            if (!(betaD > 0) || !(betaMin >= 0) || !(epsT > 0 && epsT < 1)) {
                throw new IllegalArgumentException(
                        "VP time needs betaD > 0, betaMin >= 0, 0 < epsT < 1, got "
                                + betaD + ", " + betaMin + ", " + epsT);
            }
        }

        @Override
        public double sample(RandomGenerator rng) {
            double t = epsT + (1 - epsT) * rng.nextDouble();
            return Math.sqrt(Math.expm1(betaD * t * t / 2 + betaMin * t));
        }
    }

    /** ln sigma ~ Uniform(ln min, ln max): VE training (EDM Table 1: 0.02 to 100). */
    record LogUniform(double min, double max) implements NoiseDistribution {
        public LogUniform {
            if (!(min > 0) || !(max > min) || !Double.isFinite(max)) {
                throw new IllegalArgumentException(
                        "log-uniform needs 0 < min < max < infinity, got " + min + ", " + max);
            }
        }

        @Override
        public double sample(RandomGenerator rng) {
            return Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * rng.nextDouble());
        }
    }

    /**
     * With probability {@code pHigh} draw from {@code high}, otherwise from {@code base}: biased
     * noise-level sampling in the spirit of Ghalebikesabi et al. 2023, who put extra training
     * weight on the noise levels that matter most under DP fine-tuning. Each draw consumes one
     * uniform for the choice, then the chosen component's draws.
     */
    record Mixture(NoiseDistribution base, NoiseDistribution high, double pHigh) implements NoiseDistribution {
        public Mixture {
            if (base == null || high == null) {
                throw new IllegalArgumentException("mixture components must not be null");
            }
            if (!(pHigh >= 0 && pHigh <= 1)) {
                throw new IllegalArgumentException("mixture pHigh must be in [0, 1], got " + pHigh);
            }
        }

        /** {@code base}, but with probability {@code pHigh} sigma log-uniform on [lo, hi]. */
        public static Mixture highNoiseBiased(NoiseDistribution base, double pHigh, double lo, double hi) {
            return new Mixture(base, new LogUniform(lo, hi), pHigh);
        }

        @Override
        public double sample(RandomGenerator rng) {
            return rng.nextDouble() < pHigh ? high.sample(rng) : base.sample(rng);
        }
    }
}
