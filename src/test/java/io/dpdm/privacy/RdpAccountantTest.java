package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RdpAccountantTest {
    private final RdpAccountant rdp = new RdpAccountant();

    @Test
    void fullBatchIsTheGaussianMechanism() {
        for (double a : new double[] {1.5, 2, 7.3, 32}) {
            assertEquals(a / (2 * 1.7 * 1.7), RdpAccountant.rdp(1, 1.7, a), 1e-15);
        }
    }

    /** The fractional-order series (erfc terms, signed binomials) agrees with the integer-order sum. */
    @ParameterizedTest
    @CsvSource({"0.01, 0.8, 2", "0.04, 1.5, 3", "0.2, 3.0, 7", "0.001, 1.0, 20", "0.5, 2.0, 12"})
    void fractionalSeriesMatchesIntegerSumAtIntegerOrders(double q, double sigma, int alpha) {
        double integer = RdpAccountant.logAIntegerOrder(q, sigma, alpha);
        double fractional = RdpAccountant.logAFractionalOrder(q, sigma, alpha);
        assertEquals(integer, fractional, 1e-9 * Math.max(1, Math.abs(integer)));
    }

    @Test
    void rdpIsContinuousAcrossIntegerOrders() {
        double at3 = RdpAccountant.rdp(0.04, 1.5, 3);
        assertEquals(at3, RdpAccountant.rdp(0.04, 1.5, 3 + 1e-9), 1e-8 * at3);
        assertEquals(at3, RdpAccountant.rdp(0.04, 1.5, 3 - 1e-9), 1e-8 * at3);
    }

    @Test
    void composedPhasesAreTheSumOfTheirCurves() {
        Phase a = new Phase(0.01, 1.1, 300);
        Phase b = new Phase(0.05, 2.3, 70);
        Phase c = new Phase(0.01, 0.9, 5);
        double[] together = rdp.rdpCurve(List.of(a, b, c));
        double[] separate = new double[together.length];
        double[] orders = rdp.orders();
        for (int k = 0; k < orders.length; k++) {
            for (Phase p : List.of(a, b, c)) {
                separate[k] += p.steps() * RdpAccountant.rdp(p.q(), p.sigma(), orders[k]);
            }
        }
        assertArrayEquals(separate, together, 1e-12);
        double[] sum = rdp.rdpCurve(List.of(a));
        double[] rest = rdp.rdpCurve(List.of(b, c));
        for (int k = 0; k < sum.length; k++) {
            assertEquals(sum[k] + rest[k], together[k], 1e-12 * together[k]);
        }
    }

    @Test
    void epsilonFallsWithSigmaRisesWithQAndSteps() {
        double previous = Double.POSITIVE_INFINITY;
        for (double sigma = 0.6; sigma < 5; sigma *= 1.3) {
            double eps = rdp.epsilon(0.02, sigma, 1000, 1e-5).epsilon();
            assertTrue(eps < previous, "sigma " + sigma);
            previous = eps;
        }
        previous = 0;
        for (double q = 0.001; q < 1; q *= 2.5) {
            double eps = rdp.epsilon(q, 1.2, 500, 1e-5).epsilon();
            assertTrue(eps > previous, "q " + q);
            previous = eps;
        }
        previous = 0;
        for (long steps = 1; steps < 100_000; steps *= 3) {
            double eps = rdp.epsilon(0.01, 1.0, steps, 1e-5).epsilon();
            assertTrue(eps > previous, "steps " + steps);
            previous = eps;
        }
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new RdpAccountant(new double[] {1.0}));
        assertThrows(IllegalArgumentException.class, () -> rdp.epsilon(0.1, 1, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> rdp.epsilon(0.1, 1, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> rdp.epsilon(1.1, 1, 10, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> rdp.epsilon(0.1, 0, 10, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> rdp.epsilon(0.1, 1, 0, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> rdp.epsilon(List.of(), 1e-5));
    }
}
