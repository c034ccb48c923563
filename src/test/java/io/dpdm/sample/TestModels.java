package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.model.CheckpointFile;
import io.dpdm.model.ModelCard;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.model.PrivacyGuarantee;
import io.dpdm.model.Provenance;
import io.dpdm.nn.ParameterStore;
import io.dpdm.privacy.PrivacyLedger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small checkpoints with random weights, written the way training writes them. */
final class TestModels {
    static final long RAW_SEED = 11;
    static final long EMA_SEED = 22;

    private TestModels() {}

    static ModelCard card(UNetConfig network, List<String> classNames) {
        PrivacyLedger ledger = new PrivacyLedger();
        ledger.append(1.0 / 15, 2.488);
        ledger.append(1.0 / 15, 2.488);
        ledger.append(1.0 / 30, 3.0);
        return new ModelCard(network, new Preconditioning.Edm(), classNames, "fashion-mnist",
                new PrivacyGuarantee(9.87, 1e-5, "prv", ledger, ""),
                new Provenance(Provenance.SOFTWARE, Provenance.ENGINE, 7, 3, Provenance.SECRET_RUN_KEY, null));
    }

    /** A conditional 8x8 grey model with classes a, b, c. */
    static ModelCard conditional() {
        return card(UNetConfig.tiny(1, 3), List.of("a", "b", "c"));
    }

    static ModelCard unconditional() {
        return card(UNetConfig.tiny(1, 0), List.of());
    }

    /**
     * Writes a checkpoint whose raw weights are the initialisation from {@link #RAW_SEED} and whose
     * EMA weights that from {@link #EMA_SEED}; {@code meta} may carry extra keys (e.g. a loss).
     */
    static Path write(Path file, ModelCard card, Map<String, Object> extraMeta) {
        try (ParameterStore raw = new ParameterStore(RAW_SEED); ParameterStore ema = new ParameterStore(EMA_SEED)) {
            io.dpdm.diffusion.UNet.create(raw, card.network());
            io.dpdm.diffusion.UNet.create(ema, card.network());
            write(file, card, raw.asMap(), ema.asMap(), extraMeta);
        }
        return file;
    }

    static void write(Path file, ModelCard card, Map<String, NDArray> params, Map<String, NDArray> ema,
            Map<String, Object> extraMeta) {
        ObjectNode meta = new ObjectMapper().valueToTree(extraMeta);
        meta.set(ModelCheckpoint.MODEL, ModelCheckpoint.cardJson(card));
        CheckpointFile.write(file, meta, Map.of(ModelCheckpoint.PARAMS, params, ModelCheckpoint.EMA, ema));
    }

    /** The network a checkpoint of {@link #write} holds in its EMA weights, built independently. */
    static DenoiserNetwork emaNetwork(ModelCard card) {
        return DenoiserNetwork.create(card.network(), card.preconditioning(), EMA_SEED);
    }
}
