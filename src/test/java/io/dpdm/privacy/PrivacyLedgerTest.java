package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.DpdmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrivacyLedgerTest {
    @Test
    void consecutiveIdenticalStepsMergeIntoOnePhase() {
        PrivacyLedger ledger = new PrivacyLedger();
        for (int i = 0; i < 1000; i++) {
            ledger.append(0.01, 1.2);
        }
        ledger.append(0.02, 1.2);
        ledger.append(0.01, 1.2);
        assertEquals(List.of(new Phase(0.01, 1.2, 1000), new Phase(0.02, 1.2, 1), new Phase(0.01, 1.2, 1)),
                ledger.phases());
        assertEquals(1002, ledger.totalSteps());
    }

    @Test
    void jsonRoundTripsRandomLedgers() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            PrivacyLedger ledger = new PrivacyLedger();
            int phases = rnd.nextInt(6);
            for (int p = 0; p < phases; p++) {
                ledger.append(new Phase(1 - rnd.nextDouble(), 0.1 + 5 * rnd.nextDouble(), 1 + rnd.nextInt(100_000)));
            }
            PrivacyLedger back = PrivacyLedger.fromJson(ledger.toJson());
            assertEquals(ledger, back);
            assertEquals(ledger.phases(), back.phases());
            assertEquals(ledger.toJson(), back.toJson());
        }
    }

    @Test
    void epsilonIsTheAccountantsEpsilonOfThePhases() {
        PrivacyLedger ledger = new PrivacyLedger();
        List<Phase> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ledger.append(0.04, 1.5);
        }
        for (int i = 0; i < 100; i++) {
            ledger.append(0.02, 1.1);
        }
        expected.add(new Phase(0.04, 1.5, 300));
        expected.add(new Phase(0.02, 1.1, 100));
        RdpAccountant rdp = new RdpAccountant();
        assertEquals(rdp.epsilon(expected, 1e-5), ledger.epsilon(1e-5, rdp));
        PrivacyLedger resumed = PrivacyLedger.fromJson(ledger.toJson());
        assertEquals(ledger.epsilon(1e-5).epsilon(), resumed.epsilon(1e-5).epsilon(), 0);
        assertEquals("prv", resumed.epsilon(1e-5).accountant());
    }

    @Test
    void emptyLedgerHasSpentNothing() {
        PrivacyResult r = new PrivacyLedger().epsilon(1e-5, new RdpAccountant());
        assertEquals(0, r.epsilon());
    }

    @Test
    void invalidJsonIsAOneLineError() {
        DpdmException e = assertThrows(DpdmException.class,
                () -> PrivacyLedger.fromJson("{\"phases\":[{\"q\":1.5,\"sigma\":1,\"steps\":3}]}"));
        assertTrue(e.getMessage().contains("q=1.5"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertThrows(DpdmException.class, () -> PrivacyLedger.fromJson("not json"));
        assertThrows(IllegalArgumentException.class, () -> new PrivacyLedger().append(0.1, -1));
    }
}
