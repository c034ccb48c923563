package io.dpdm.eval;

import io.dpdm.classify.ClassifierKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Evaluation} evaluates and how.
 *
 * @param synthetic a synthetic set folder (dpdm sample's output) or a training run folder holding one
 * @param real the real data set: an embedded name or a path ({@link io.dpdm.data.Datasets#open})
 * @param out where report.json, report.html and the pictures go
 * @param classifiers the downstream classifiers (the protocol: logreg, mlp, cnn)
 * @param epochs classifier training epochs on the synthetic set (the protocol's 50)
 * @param realEpochs classifier training epochs on the real training set (the ceiling, and the
 *     CNN whose features give the default Frechet distance); the protocol uses {@code epochs}
 * @param featureExtractor a TorchScript file whose features give a standard FID, or empty for
 *     the default (the CNN trained on the real training data)
 * @param cache where real-data classifiers and feature statistics are cached
 * @param validationFraction fraction of the SYNTHETIC set held out for epoch selection
 * @param auditSamples at most this many synthetic and this many real test images enter the
 *     memorisation audit (a seeded random subset; brute-force search against the whole training set)
 * @param seed seeds classifier initialisation, shuffling, the hold-out and the audit subset
 * @param notes departures from the published protocol, shown in the report (e.g. fewer epochs)
 */
public record EvaluationRequest(Path synthetic, String real, Path out, List<ClassifierKind> classifiers, int epochs,
        int realEpochs, Optional<Path> featureExtractor, Path cache, double validationFraction, int auditSamples, long seed,
        List<String> notes) {
    /** DPDM's protocol: 50 epochs. */
    public static final int PAPER_EPOCHS = 50;

    public EvaluationRequest {
        if (synthetic == null || real == null || real.isBlank() || out == null || cache == null) {
            throw new IllegalArgumentException("synthetic, real, out and cache must be given");
        }
        classifiers = List.copyOf(classifiers);
        if (classifiers.isEmpty() || classifiers.stream().distinct().count() != classifiers.size()) {
            throw new IllegalArgumentException("classifiers: expected one or more distinct kinds, got " + classifiers);
        }
        if (epochs < 1 || realEpochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs + " and " + realEpochs);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
        }
        if (auditSamples < 2) {
            throw new IllegalArgumentException("audit samples must be >= 2, got " + auditSamples);
        }
        featureExtractor = featureExtractor == null ? Optional.empty() : featureExtractor;
        notes = List.copyOf(notes);
    }

    /** The cache used when none is chosen: $XDG_CACHE_HOME/dpdm, else ~/.cache/dpdm. */
    public static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "dpdm")
                : Path.of(System.getProperty("user.home"), ".cache", "dpdm");
    }
}
