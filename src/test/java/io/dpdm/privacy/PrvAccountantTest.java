package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrvAccountantTest {
    private final PrvAccountant prv = new PrvAccountant();

    /**
     * q = 1 is the Gaussian mechanism: T steps at sigma are mu-GDP with mu = sqrt(T)/sigma, whose
     * exact eps(delta) solves Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2) = delta (values by
     * scipy brentq). PRV's lower and upper bounds must bracket it and the estimate be within eps_error.
     */
    @ParameterizedTest
    @CsvSource({"10, 2, 1e-5, 7.511275900744781", "1000, 20, 1e-6, 8.306225049954723", "1, 1, 1e-5, 4.377178095681225"})
    void gaussianMechanismMatchesClosedForm(long steps, double sigma, double delta, double exact) {
        PrvAccountant.Bounds b = prv.bounds(List.of(new Phase(1, sigma, steps)), delta);
        assertTrue(b.lower() <= exact && exact <= b.upper(), b + " vs " + exact);
        assertEquals(exact, b.estimate(), PrvAccountant.DEFAULT_EPS_ERROR);
    }

    @Test
    void prvIsTighterThanRdpForHeterogeneousPhases() {
        List<Phase> phases = List.of(new Phase(0.01, 1.0, 800), new Phase(0.02, 1.5, 400), new Phase(0.01, 0.8, 100));
        PrivacyResult p = prv.epsilon(phases, 1e-5);
        PrivacyResult r = new RdpAccountant().epsilon(phases, 1e-5);
        assertEquals("prv", p.accountant());
        assertTrue(p.epsilon() < r.epsilon(), p + " vs " + r);
        PrvAccountant.Bounds b = prv.bounds(phases, 1e-5);
        assertTrue(b.lower() < b.estimate() && b.estimate() < b.upper());
    }

    @Test
    void splittingAPhaseDoesNotChangeEpsilon() {
        double whole = prv.epsilon(0.03, 1.2, 900, 1e-5).epsilon();
        double split = prv.epsilon(List.of(new Phase(0.03, 1.2, 500), new Phase(0.03, 1.2, 400)), 1e-5).epsilon();
        assertEquals(whole, split, 1e-9);
    }

    @Test
    void epsilonFallsWithSigmaRisesWithQAndSteps() {
        double previous = Double.POSITIVE_INFINITY;
        for (double sigma : new double[] {0.7, 1.0, 1.5, 2.5, 4}) {
            double eps = prv.epsilon(0.02, sigma, 300, 1e-5).epsilon();
            assertTrue(eps < previous, "sigma " + sigma);
            previous = eps;
        }
        previous = 0;
        for (double q : new double[] {0.001, 0.01, 0.05, 0.3, 1}) {
            double eps = prv.epsilon(q, 1.2, 200, 1e-5).epsilon();
            assertTrue(eps > previous, "q " + q);
            previous = eps;
        }
        previous = 0;
        for (long steps : new long[] {1, 10, 100, 1000, 5000}) {
            double eps = prv.epsilon(0.01, 1.0, steps, 1e-5).epsilon();
            assertTrue(eps > previous, "steps " + steps);
            previous = eps;
        }
    }

    /** Where the grid would be too large (Opacus runs out of memory), the RDP bound is returned and labelled. */
    @Test
    void fallsBackToRdpAndSaysSo() {
        PrvAccountant small = new PrvAccountant(0.01, 1e-3, PrvAccountant.Bound.UPPER, 1 << 12);
        PrivacyResult r = small.epsilon(0.05, 0.8, 50_000, 1e-6);
        PrivacyResult rdp = new RdpAccountant().epsilon(0.05, 0.8, 50_000, 1e-6);
        assertEquals("rdp", r.accountant());
        assertEquals(rdp.epsilon(), r.epsilon(), 0);
        assertTrue(r.note().contains("fell back to RDP"), r.note());
    }

    @Test
    void estimateAndLowerBoundAreSelectable() {
        PrvAccountant.Bounds b = prv.bounds(List.of(new Phase(0.04, 1.5, 1000)), 1e-5);
        assertEquals(b.estimate(), new PrvAccountant(0.01, 1e-3, PrvAccountant.Bound.ESTIMATE, 1 << 24)
                .epsilon(0.04, 1.5, 1000, 1e-5).epsilon(), 0);
        assertEquals(b.lower(), new PrvAccountant(0.01, 1e-3, PrvAccountant.Bound.LOWER, 1 << 24)
                .epsilon(0.04, 1.5, 1000, 1e-5).epsilon(), 0);
    }

    /** Below what the FFT can resolve, PRV does not return noise: it falls back to RDP and says why. */
    @Test
    void deltaBelowRoundingNoiseFallsBackToRdp() {
        PrivacyResult r = prv.epsilon(0.04, 1.5, 4500, 1e-14);
        assertEquals("rdp", r.accountant());
        assertTrue(r.note().contains("rounding"), r.note());
    }

    @Test
    void coarserEpsErrorStillBracketsTheFineEstimate() {
        double fine = prv.bounds(List.of(new Phase(0.02, 1.1, 2000)), 1e-6).estimate();
        PrvAccountant.Bounds coarse = new PrvAccountant(0.1, 1e-3, PrvAccountant.Bound.UPPER, 1 << 24)
                .bounds(List.of(new Phase(0.02, 1.1, 2000)), 1e-6);
        assertTrue(coarse.lower() <= fine && fine <= coarse.upper(), coarse + " vs " + fine);
        assertTrue(coarse.gridSize() < prv.bounds(List.of(new Phase(0.02, 1.1, 2000)), 1e-6).gridSize());
    }

    /** Composition commutes: interleaved phases of two mechanisms give what two merged phases give. */
    @Test
    void interleavedPhasesEqualGroupedPhases() {
        List<Phase> interleaved = List.of(new Phase(0.02, 1.0, 100), new Phase(0.05, 2.0, 50), new Phase(0.02, 1.0, 300),
                new Phase(0.05, 2.0, 25));
        List<Phase> grouped = List.of(new Phase(0.02, 1.0, 400), new Phase(0.05, 2.0, 75));
        assertEquals(prv.epsilon(grouped, 1e-5).epsilon(), prv.epsilon(interleaved, 1e-5).epsilon(), 1e-12);
        RdpAccountant rdp = new RdpAccountant();
        assertEquals(rdp.epsilon(grouped, 1e-5).epsilon(), rdp.epsilon(interleaved, 1e-5).epsilon(), 1e-12);
    }

    @Test
    void accountantsByName() {
        assertEquals("prv", Accountants.byName("PRV").name());
        assertEquals("rdp", Accountants.byName("rdp").name());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Accountants.byName("gdp"));
    }
}
