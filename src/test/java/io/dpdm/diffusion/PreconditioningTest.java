package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Torch;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreconditioningTest {
    private static final double EPS = 1e-12;

    /** Values worked by hand: at sigma = 1 with sd^2 = 1/3, s^2 + sd^2 = 4/3. */
    @Test
    void edmWithDpdmSigmaDataMatchesHandValues() {
        Preconditioning p = new Preconditioning.Edm();
        assertEquals(0.25, p.cSkip(1), EPS);
        assertEquals(0.5, p.cOut(1), EPS);
        assertEquals(Math.sqrt(3) / 2, p.cIn(1), EPS);
        assertEquals(0, p.cNoise(1), EPS);
        assertEquals(4, p.lossWeight(1), EPS);
    }

    /** sigma = 2, sd = 0.5: s^2 + sd^2 = 4.25. */
    @Test
    void edmWithSigmaDataHalfMatchesHandValues() {
        Preconditioning p = new Preconditioning.Edm(0.5);
        assertEquals(0.25 / 4.25, p.cSkip(2), EPS);
        assertEquals(1 / Math.sqrt(4.25), p.cOut(2), EPS);
        assertEquals(0.48507125007266594, p.cIn(2), EPS);
        assertEquals(0.17328679513998632, p.cNoise(2), EPS);
        assertEquals(4.25, p.lossWeight(2), EPS);
    }

    /** sigma = 1 and sqrt 3, where arccos(1/sqrt(1+s^2)) is pi/4 and pi/3. */
    @Test
    void vPredictionMatchesHandValues() {
        Preconditioning p = new Preconditioning.VPrediction();
        assertEquals(0.5, p.cSkip(1), EPS);
        assertEquals(Math.sqrt(0.5), p.cOut(1), EPS);
        assertEquals(Math.sqrt(0.5), p.cIn(1), EPS);
        assertEquals(0.5, p.cNoise(1), EPS);
        assertEquals(2, p.lossWeight(1), EPS);
        double s = Math.sqrt(3);
        assertEquals(0.25, p.cSkip(s), EPS);
        assertEquals(s / 2, p.cOut(s), EPS);
        assertEquals(0.5, p.cIn(s), EPS);
        assertEquals(2.0 / 3, p.cNoise(s), EPS);
        assertEquals(4.0 / 3, p.lossWeight(s), EPS);
        // The recipe's arccos form, at a small sigma where it loses digits but is still usable.
        assertEquals(2 / Math.PI * Math.acos(1 / Math.sqrt(1 + 0.09)), p.cNoise(0.3), 1e-9);
    }

    @Test
    void vpMatchesHandValuesAndInvertsItsSchedule() {
        Preconditioning.Vp p = new Preconditioning.Vp();
        assertEquals(1, p.cSkip(1), EPS);
        assertEquals(-1, p.cOut(1), EPS);
        assertEquals(Math.sqrt(0.5), p.cIn(1), EPS);
        assertEquals(258.7013021703638, p.cNoise(1), 1e-9);
        assertEquals(1, p.lossWeight(1), EPS);
        // c_noise(sigma(t)) = (M - 1) t for the forward schedule sigma(t) = sqrt(e^(bd t^2/2 + bm t) - 1).
        for (double t : new double[] {1e-5, 0.01, 0.3, 0.77, 1}) {
            double sigma = Math.sqrt(Math.exp(19.9 * t * t / 2 + 0.1 * t) - 1);
            assertEquals(999 * t, p.cNoise(sigma), 1e-6 * 999);
        }
    }

    @Test
    void veMatchesHandValues() {
        Preconditioning p = new Preconditioning.Ve();
        assertEquals(1, p.cSkip(2), EPS);
        assertEquals(2, p.cOut(2), EPS);
        assertEquals(1, p.cIn(2), EPS);
        assertEquals(0, p.cNoise(2), EPS);
        assertEquals(0.25, p.lossWeight(2), EPS);
    }

    /** lambda c_out^2 = 1: the network's effective regression target has unit weight everywhere. */
    @Test
    void lossWeightMakesTheEffectiveTargetUnitWeight() {
        for (Preconditioning p : all()) {
            for (double s : new double[] {0.002, 0.05, 0.5, 1, 3, 80}) {
                assertEquals(1, p.lossWeight(s) * p.cOut(s) * p.cOut(s), 1e-9, p + " at sigma " + s);
            }
        }
    }

    /**
     * For data N(0, sd^2) the ideal denoiser is sd^2 x / (sd^2 + sigma^2) = c_skip x, so with EDM
     * (and v-prediction, whose sd is 1) the ideal F is zero: a zero backbone must reproduce it.
     */
    @Test
    void zeroBackboneIsTheIdealDenoiserForDataOfVarianceSigmaDataSquared() {
        Torch.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {-2.5f, 0.3f, 1.7f, 4f}, new Shape(2, 1, 1, 2));
            double[] sigma = {0.2, 3.0};
            Backbone zero = (w, xIn, cNoise, labels) -> xIn.zerosLike();
            check(new Preconditioned(zero, new Preconditioning.Edm(0.7)), x, sigma, 0.7);
            check(new Preconditioned(zero, new Preconditioning.VPrediction()), x, sigma, 1);
        }
    }

    private static void check(Preconditioned model, NDArray x, double[] sigma, double sd) {
        float[] d = model.apply(null, x, sigma, null).toFloatArray();
        float[] in = x.toFloatArray();
        for (int i = 0; i < in.length; i++) {
            double s = sigma[i / 2];
            assertEquals(sd * sd * in[i] / (sd * sd + s * s), d[i], 1e-6);
        }
    }

    /** The wrapper feeds c_in x and c_noise to the backbone and combines c_skip x + c_out F. */
    @Test
    void wrapperPassesScaledInputAndNoiseConditioning() {
        Torch.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2, 1, 1));
            float[][] seen = new float[2][];
            Backbone recordAndReturnOnes = (w, xIn, cNoise, labels) -> {
                seen[0] = xIn.toFloatArray();
                seen[1] = cNoise.toFloatArray();
                return xIn.onesLike();
            };
            // EDM, sd^2 = 1/3, sigma = 1: c_in = sqrt(3)/2, c_noise = 0, c_skip = 1/4, c_out = 1/2.
            // sigma = exp(4): c_noise = 1, s^2 + sd^2 = e^8 + 1/3.
            double big = Math.exp(4);
            double norm = Math.sqrt(big * big + 1.0 / 3);
            NDArray d = new Preconditioned(recordAndReturnOnes, new Preconditioning.Edm())
                    .apply(null, x, new double[] {1, big}, null);
            float r3 = (float) (Math.sqrt(3) / 2);
            assertArrayEquals(new float[] {r3, 2 * r3, (float) (3 / norm), (float) (4 / norm)}, seen[0], 1e-6f);
            assertArrayEquals(new float[] {0, 1}, seen[1], 1e-6f);
            double skip = (1.0 / 3) / (big * big + 1.0 / 3);
            double out = big * Math.sqrt(1.0 / 3) / norm;
            assertArrayEquals(new float[] {0.75f, 1.0f, (float) (3 * skip + out), (float) (4 * skip + out)},
                    d.toFloatArray(), 1e-5f);
            assertThrows(IllegalArgumentException.class,
                    () -> new Preconditioned(recordAndReturnOnes, new Preconditioning.Edm())
                            .apply(null, x, new double[] {1}, null));
        }
    }

    @Test
    void rejectsBadConstants() {
        assertEquals("sigmaData must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Preconditioning.Edm(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Preconditioning.Vp(0, 0.1, 1000));
        assertThrows(IllegalArgumentException.class, () -> new Preconditioning.Vp(19.9, 0.1, 1));
    }

    private static List<Preconditioning> all() {
        return List.of(new Preconditioning.Edm(), new Preconditioning.Edm(0.5), new Preconditioning.VPrediction(),
                new Preconditioning.Vp(), new Preconditioning.Ve());
    }
}
