package io.dpdm.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpdm.nn.Torch;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearningRateTest {
    @Test
    void constantUntilTheDecayThenLinearToZero() {
        LearningRate lr = new LearningRate(0.1, 10, 0.5); // decays over the last 5 of 10 updates
        for (int n = 1; n <= 6; n++) {
            assertEquals(0.1, lr.at(n), 1e-15, "update " + n);
        }
        assertEquals(0.08, lr.at(7), 1e-15);
        assertEquals(0.02, lr.at(10), 1e-15);
        assertEquals(0.0, lr.at(11), 0);
        assertEquals(0.1, LearningRate.constant(0.1).at(1_000_000), 0);
        assertThrows(IllegalArgumentException.class, () -> new LearningRate(0.1, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new LearningRate(0, 10, 0));
    }

    /**
     * Adam's bias-corrected step for a gradient that stays the same is lr_t * sign(g) (m_hat = g,
     * v_hat = g^2), so each update moves the parameter by exactly the scheduled rate.
     */
    @Test
    void adamMovesByTheScheduledRate() {
        try (NDManager m = Torch.engine().newBaseManager()) {
            NDArray p = m.create(new float[] {1f, -2f});
            Adam adam = new Adam(Map.of("p", p), new LearningRate(0.01, 2, 1.0), 0.9, 0.999, 1e-12);
            NDArray g = m.create(new float[] {3f, -0.5f});
            adam.update(Map.of("p", g));
            assertEquals(1f - 0.01f, p.toFloatArray()[0], 1e-6f);
            assertEquals(-2f + 0.01f, p.toFloatArray()[1], 1e-6f);
            adam.update(Map.of("p", g));
            assertEquals(1f - 0.015f, p.toFloatArray()[0], 1e-6f); // second update at half the rate
            assertEquals(-2f + 0.015f, p.toFloatArray()[1], 1e-6f);
        }
    }
}
