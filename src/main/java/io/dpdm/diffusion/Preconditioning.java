package io.dpdm.diffusion;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The scalar coefficients of D(x; sigma) = c_skip x + c_out F(c_in x, c_noise) and the training
 * loss weight lambda(sigma), for the forward process x = x0 + sigma n. Every variant satisfies
 * lambda * c_out^2 = 1: the loss lambda (D - x0)^2 equals (F - F_target)^2 with a unit weight, so
 * the network's effective training target has unit weight at every noise level (EDM sec. 5).
 * Each variant also names the training noise distribution it was designed with.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Preconditioning.Edm.class, name = "edm"),
    @JsonSubTypes.Type(value = Preconditioning.VPrediction.class, name = "v-prediction"),
    @JsonSubTypes.Type(value = Preconditioning.Vp.class, name = "vp"),
    @JsonSubTypes.Type(value = Preconditioning.Ve.class, name = "ve")
})
public sealed interface Preconditioning {
    double cSkip(double sigma);

    double cOut(double sigma);

    double cIn(double sigma);

    double cNoise(double sigma);

    /** lambda(sigma), the per-noise-level loss weight. */
    double lossWeight(double sigma);

    /** The training noise-level distribution this parameterisation is paired with. */
    NoiseDistribution defaultNoise();

    /** DPDM's data scale: images uniform on [-1, 1] have variance 1/3. */
    double DPDM_SIGMA_DATA = Math.sqrt(1.0 / 3.0);

    /**
     * EDM (Karras et al. 2022, Table 1 "ours"): c_skip = sd^2/(s^2+sd^2), c_out = s sd/sqrt(s^2+sd^2),
     * c_in = 1/sqrt(s^2+sd^2), c_noise = ln(s)/4, lambda = (s^2+sd^2)/(s sd)^2. c_skip is the optimal
     * linear denoiser for zero-mean data of variance sd^2, so F only learns the remainder.
     *
     * @param sigmaData sd, the standard deviation of the data (DPDM uses sqrt(1/3), EDM 0.5)
     */
    record Edm(double sigmaData) implements Preconditioning {
        public Edm {
            if (!(sigmaData > 0 && Double.isFinite(sigmaData))) {
                throw new IllegalArgumentException("sigmaData must be a finite number > 0, got " + sigmaData);
            }
        }

        /** EDM with DPDM's sigma_data = sqrt(1/3). */
        public Edm() {
            this(DPDM_SIGMA_DATA);
        }

        private double sd2() {
            return sigmaData * sigmaData;
        }

        @Override
        public double cSkip(double s) {
            return sd2() / (s * s + sd2());
        }

        @Override
        public double cOut(double s) {
            return s * sigmaData / Math.sqrt(s * s + sd2());
        }

        @Override
        public double cIn(double s) {
            return 1 / Math.sqrt(s * s + sd2());
        }

        @Override
        public double cNoise(double s) {
            return Math.log(s) / 4;
        }

        @Override
        public double lossWeight(double s) {
            return (s * s + sd2()) / (s * s * sd2());
        }

        @Override
        public NoiseDistribution defaultNoise() {
            return new NoiseDistribution.LogNormal(-1.2, 1.2);
        }
    }

    /**
     * v-prediction (Salimans and Ho 2022) in sigma form, as DPDM uses it at small epsilon: EDM with
     * sd = 1 except c_noise = t = (2/pi) arccos(1/sqrt(1+s^2)) = (2/pi) atan(s) (the atan form is
     * the same angle without cancellation at small s), and lambda = (s^2+1)/s^2.
     */
    record VPrediction() implements Preconditioning {
        @Override
        public double cSkip(double s) {
            return 1 / (s * s + 1);
        }

        @Override
        public double cOut(double s) {
            return s / Math.sqrt(1 + s * s);
        }

        @Override
        public double cIn(double s) {
            return 1 / Math.sqrt(1 + s * s);
        }

        @Override
        public double cNoise(double s) {
            return 2 / Math.PI * Math.atan(s);
        }

        @Override
        public double lossWeight(double s) {
            return (s * s + 1) / (s * s);
        }

        @Override
        public NoiseDistribution defaultNoise() {
            return new NoiseDistribution.LogSnrUniform(13, -9);
        }
    }

    /**
     * VP (Song et al. 2021) as written in EDM Table 1: c_skip = 1, c_out = -s,
     * c_in = 1/sqrt(s^2+1), c_noise = (M-1) t(s) with the inverse schedule
     * t(s) = (sqrt(beta_min^2 + 2 beta_d ln(1+s^2)) - beta_min) / beta_d, lambda = 1/s^2.
     *
     * @param betaD beta_d (standard 19.9)
     * @param betaMin beta_min (standard 0.1)
     * @param m M, the number of discrete timesteps the network's c_noise is scaled to (1000)
     */
    record Vp(double betaD, double betaMin, int m) implements Preconditioning {
        public Vp {
            if (!(betaD > 0) || !(betaMin >= 0) || m < 2) {
                throw new IllegalArgumentException(
                        "VP needs betaD > 0, betaMin >= 0, M >= 2, got " + betaD + ", " + betaMin + ", " + m);
            }
        }

        /** The standard constants beta_d = 19.9, beta_min = 0.1, M = 1000. */
        public Vp() {
            this(19.9, 0.1, 1000);
        }

        @Override
        public double cSkip(double s) {
            return 1;
        }

        @Override
        public double cOut(double s) {
            return -s;
        }

        @Override
        public double cIn(double s) {
            return 1 / Math.sqrt(s * s + 1);
        }

        @Override
        public double cNoise(double s) {
            double t = (Math.sqrt(betaMin * betaMin + 2 * betaD * Math.log1p(s * s)) - betaMin) / betaD;
            return (m - 1) * t;
        }

        @Override
        public double lossWeight(double s) {
            return 1 / (s * s);
        }

        @Override
        public NoiseDistribution defaultNoise() {
            return new NoiseDistribution.VpTime(betaD, betaMin, 1e-5);
        }
    }

    /**
     * VE (Song et al. 2021) as written in EDM Table 1: c_skip = 1, c_out = s, c_in = 1,
     * c_noise = ln(s/2), lambda = 1/s^2; trained with sigma log-uniform on [0.02, 100].
     */
    record Ve() implements Preconditioning {
        @Override
        public double cSkip(double s) {
            return 1;
        }

        @Override
        public double cOut(double s) {
            return s;
        }

        @Override
        public double cIn(double s) {
            return 1;
        }

        @Override
        public double cNoise(double s) {
            return Math.log(s / 2);
        }

        @Override
        public double lossWeight(double s) {
            return 1 / (s * s);
        }

        @Override
        public NoiseDistribution defaultNoise() {
            return new NoiseDistribution.LogUniform(0.02, 100);
        }
    }
}
