package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseGridTest {
    @Test
    void twoStepsAreTheEndsThenZero() {
        assertArrayEquals(new double[] {80, 0.002, 0}, NoiseGrid.edm(2).sigmas(), 0);
    }

    @Test
    void rhoOneIsUniformInSigma() {
        assertArrayEquals(new double[] {80, 40.001, 0.002, 0}, new NoiseGrid(0.002, 80, 1, 3).sigmas(), 1e-12);
    }

    /** Midpoint of the rho = 7 grid: ((80^(1/7) + 0.002^(1/7)) / 2)^7, worked out separately. */
    @Test
    void rhoSevenMidpoint() {
        double[] s = NoiseGrid.edm(3).sigmas();
        assertEquals(2.515218976147159, s[1], 1e-12);
        double[] fine = NoiseGrid.edm(1000).sigmas();
        for (int i = 0; i < 1000; i++) {
            assertTrue(fine[i] > fine[i + 1]);
        }
        assertEquals(1001, fine.length);
    }

    /** The jobs' grid ends at 0.2, and its rho = 7 midpoint is ((80^(1/7) + 0.2^(1/7)) / 2)^7 (worked out separately). */
    @Test
    void jobGridEndsAtItsOwnSigmaMin() {
        double[] s = NoiseGrid.jobs(3).sigmas();
        assertEquals(7.453336193261511, s[1], 1e-12);
        assertArrayEquals(new double[] {80, 0.2, 0}, new double[] {s[0], s[2], s[3]}, 0);
    }

    @Test
    void rejectsBadGrids() {
        assertEquals("sampling steps must be >= 2 (sigma_max and sigma_min), got 1",
                assertThrows(IllegalArgumentException.class, () -> NoiseGrid.edm(1)).getMessage());
        assertEquals("noise grid needs 0 < sigma_min < sigma_max < infinity, got 80.0, 0.002",
                assertThrows(IllegalArgumentException.class, () -> new NoiseGrid(80, 0.002, 7, 10)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NoiseGrid(0.002, 80, 0, 10));
    }
}
