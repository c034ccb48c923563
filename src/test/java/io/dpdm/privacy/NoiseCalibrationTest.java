package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseCalibrationTest {
    private final RdpAccountant rdp = new RdpAccountant();

    @Test
    void calibratedSigmaMeetsTheTargetWithinTolerance() {
        for (double target : new double[] {0.5, 2, 8, 30}) {
            double sigma = NoiseCalibration.noiseMultiplier(rdp, target, 1e-5, 0.01, 3000);
            double eps = rdp.epsilon(0.01, sigma, 3000, 1e-5).epsilon();
            assertTrue(eps < target, "eps " + eps + " exceeds target " + target);
            assertTrue(target - eps <= NoiseCalibration.EPSILON_TOLERANCE, "eps " + eps + " too far below " + target);
        }
    }

    @Test
    void maxStepsIsTheLastStepWithinBudget() {
        long steps = NoiseCalibration.maxSteps(rdp, 3, 1e-5, 0.01, 1.0, 10_000_000);
        assertTrue(rdp.epsilon(0.01, 1.0, steps, 1e-5).epsilon() <= 3);
        assertTrue(rdp.epsilon(0.01, 1.0, steps + 1, 1e-5).epsilon() > 3);
        assertTrue(NoiseCalibration.maxSteps(rdp, 1e-3, 1e-5, 0.5, 0.5, 100) == 0);
        assertTrue(NoiseCalibration.maxSteps(rdp, 100, 1e-5, 0.001, 5, 100) == 100);
    }

    @Test
    void unreachableTargetIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.noiseMultiplier(rdp, 1e-4, 1e-5, 1, 10_000_000));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.noiseMultiplier(rdp, -1, 1e-5, 0.1, 10));
    }
}
