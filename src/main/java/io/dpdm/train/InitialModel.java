package io.dpdm.train;

import io.dpdm.DpdmException;
import io.dpdm.data.ImageDataset;
import io.dpdm.model.ModelCard;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.model.PrivacyGuarantee;
import io.dpdm.privacy.Phase;
import java.util.List;
import java.util.Locale;

/**
 * What a run's weights start from ({@code --init-from}), and what that does to its guarantee. A
 * model trained on the same data set is a release of that data: a private one is composed into
 * the run's ledger (its phases count against the target), a non-private one voids the guarantee
 * and is refused unless the operator accepts that explicitly. A model of another data set is
 * public pre-training and costs nothing.
 *
 * @param path the file as the operator gave it (run state only: never released)
 * @param description what the card's provenance says about it (no path)
 * @param guaranteeNote appended to the guarantee's note, or empty
 * @param prior phases of the initial model's own ledger composed into this run's guarantee
 */
record InitialModel(String path, String description, String guaranteeNote, List<Phase> prior) {
    static final String PRIOR_LABEL = " (initial model)";

    InitialModel {
        prior = prior == null ? List.of() : List.copyOf(prior);
    }

    /**
     * Judges {@code model} as the start of a run on {@code data}.
     *
     * @param outsideGuarantee the operator accepts a non-private model of the same data, which the
     *     guarantee then excludes
     * @throws DpdmException for a non-private model of the same data without {@code outsideGuarantee}
     */
    static InitialModel judge(ModelCheckpoint.Loaded model, boolean outsideGuarantee, ImageDataset data,
            String dataFingerprint) {
        ModelCard card = model.card();
        String path = model.file().toString();
        String kept = model.meta().path("dataFingerprint").asText("");
        boolean sameData = card.dataset().equals(data.name()) || kept.equals(dataFingerprint);
        PrivacyGuarantee g = card.privacy();
        if (g.isPrivate()) {
            String summary = String.format(Locale.ROOT, "a private model of %s (epsilon %.4g at delta %.3g, %d steps)",
                    card.dataset(), g.epsilon(), g.delta(), card.provenance().step());
            if (!sameData) {
                return new InitialModel(path, summary + "; its own guarantee covers " + card.dataset(),
                        "covers only training after initialisation from " + summary + ", whose guarantee covers"
                                + " that data set", List.of());
            }
            List<Phase> prior = g.ledger().phases().stream().map(p -> p.relabelled(p.label() + PRIOR_LABEL)).toList();
            return new InitialModel(path, summary + " of the same data set; its ledger is composed into this one",
                    "includes the initial model's " + card.provenance().step() + " private steps on the same data",
                    prior);
        }
        if (!sameData) {
            String summary = "a non-private model of " + card.dataset() + " (public pre-training)";
            return new InitialModel(path, summary, "covers only training after initialisation from " + summary
                    + ", assumed public", List.of());
        }
        if (!outsideGuarantee) {
            throw new DpdmException(path + ": --init-from model was trained on " + card.dataset()
                    + ", the data of this run, without a guarantee (" + g.note() + "); starting from it would void"
                    + " this run's guarantee. Pass --init-outside-guarantee to do it anyway: the card will say the"
                    + " guarantee excludes it");
        }
        return new InitialModel(path, "a NON-PRIVATE model of the same data set (" + card.dataset() + ")",
                "EXCLUDES the initial model, trained on the same data without differential privacy: this epsilon"
                        + " does not bound what the initial weights reveal about the data", List.of());
    }
}
