package io.dpdm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.privacy.PrivacyLedger;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void roundTripsThroughJsonWithLedgerAndInfiniteEpsilon() throws Exception {
        PrivacyLedger ledger = new PrivacyLedger();
        ledger.append(1.0 / 15, 2.488);
        ledger.append(1.0 / 15, 2.488);
        ModelCard card = new ModelCard(UNetConfig.tiny(1, 2), new Preconditioning.Edm(), List.of("a", "b"), "fashion-mnist",
                new PrivacyGuarantee(9.87, 1e-5, "prv", ledger, ""), new Provenance(Provenance.SOFTWARE, Provenance.ENGINE, 7, 2,
                        Provenance.SECRET_RUN_KEY, null));
        ModelCard back = JSON.treeToValue(JSON.readTree(JSON.writeValueAsString(card)), ModelCard.class);
        assertEquals(card, back);
        assertEquals(2, back.privacy().ledger().totalSteps());

        ModelCard open = new ModelCard(UNetConfig.tiny(1, 0), new Preconditioning.VPrediction(), List.of(), "x",
                PrivacyGuarantee.nonPrivate(1e-5), new Provenance(Provenance.SOFTWARE, Provenance.ENGINE, 1, 0, Provenance.SECRET_RUN_KEY, ""));
        ModelCard openBack = JSON.readValue(JSON.writeValueAsString(open), ModelCard.class);
        assertFalse(openBack.privacy().isPrivate());
        assertEquals(open, openBack);
    }

    @Test
    void classNamesMustMatchTheNetwork() {
        assertThrows(IllegalArgumentException.class, () -> new ModelCard(UNetConfig.tiny(1, 3), new Preconditioning.Edm(),
                List.of("a"), "d", PrivacyGuarantee.nonPrivate(1e-5), new Provenance("s", "e", 1, 0, "", "")));
    }
}
