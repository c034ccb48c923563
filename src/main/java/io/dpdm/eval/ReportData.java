package io.dpdm.eval;

import java.util.List;

/**
 * Everything the evaluation report shows. The {@code evaluate} command fills these records in;
 * {@link ReportWriter} turns them into {@code report.json} and {@code report.html}. Accuracies
 * are percentages (0..100). Optional parts are empty lists or null, as documented per field.
 *
 * @param headline what was evaluated
 * @param accuracies downstream classifiers trained on synthetic data, tested on the real test set
 * @param perClass per-class test accuracy of those classifiers (may be empty)
 * @param privacy the model's privacy guarantee, or null when the images carry none (a model
 *     trained without DP, or a set without a manifest)
 * @param frechet Frechet distances, each named by its feature space (may be empty)
 * @param curves training curves (lists may be empty)
 * @param memorisation memorisation audits, one per space (pixels, features; may be empty)
 * @param images pictures supplied by the caller
 */
public record ReportData(
        Headline headline,
        List<Accuracy> accuracies,
        List<PerClass> perClass,
        Privacy privacy,
        List<Frechet> frechet,
        Curves curves,
        List<MemorisationAudit> memorisation,
        Images images) {

    public ReportData {
        require(headline, "headline");
        require(curves, "curves");
        require(images, "images");
        accuracies = List.copyOf(require(accuracies, "accuracies"));
        perClass = List.copyOf(require(perClass, "perClass"));
        frechet = List.copyOf(require(frechet, "frechet"));
        memorisation = List.copyOf(require(memorisation, "memorisation"));
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": expected a value (use an empty list for none)");
        }
        return value;
    }

    private static String text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": expected a non-empty text");
        }
        return value;
    }

    private static double percent(double value, String field) {
        if (!(value >= 0 && value <= 100)) {
            throw new IllegalArgumentException(field + ": expected a percentage in [0, 100], got " + value);
        }
        return value;
    }

    /**
     * @param title report title
     * @param dataset data set key, e.g. "fashion-mnist" (selects the published figures)
     * @param syntheticImages number of synthetic images evaluated
     * @param generatedAt when the report was made (ISO-8601 text, supplied by the caller)
     * @param notes how this evaluation departs from the published protocol, if at all (shown
     *     under the title), e.g. fewer classifier epochs
     */
    public record Headline(String title, String dataset, long syntheticImages, String generatedAt,
                           List<String> notes) {
        public Headline {
            text(title, "headline.title");
            text(dataset, "headline.dataset");
            text(generatedAt, "headline.generatedAt");
            notes = List.copyOf(require(notes, "headline.notes"));
            if (syntheticImages < 0) {
                throw new IllegalArgumentException("headline.syntheticImages: expected >= 0, got " + syntheticImages);
            }
        }

        public Headline(String title, String dataset, long syntheticImages, String generatedAt) {
            this(title, dataset, syntheticImages, generatedAt, List.of());
        }
    }

    /**
     * @param classifier "LogReg", "MLP" or "CNN" (the DPDM protocol names; others are shown without a reference)
     * @param syntheticTrained test accuracy when trained on synthetic data, percent
     * @param realTrained test accuracy when trained on the real training data (the ceiling), or null
     */
    public record Accuracy(String classifier, double syntheticTrained, Double realTrained) {
        public Accuracy {
            text(classifier, "accuracy.classifier");
            percent(syntheticTrained, "accuracy " + classifier + ".syntheticTrained");
            if (realTrained != null) {
                percent(realTrained, "accuracy " + classifier + ".realTrained");
            }
        }
    }

    /**
     * @param classifier classifier name
     * @param classNames class names, in label order
     * @param accuracy test accuracy per class, percent, same order
     */
    public record PerClass(String classifier, List<String> classNames, double[] accuracy) {
        public PerClass {
            text(classifier, "perClass.classifier");
            classNames = List.copyOf(classNames);
            if (accuracy.length != classNames.size()) {
                throw new IllegalArgumentException("perClass " + classifier + ": expected " + classNames.size()
                        + " accuracies (one per class), got " + accuracy.length);
            }
            accuracy = accuracy.clone();
            for (double a : accuracy) {
                percent(a, "perClass " + classifier);
            }
        }
    }

    /**
     * @param targetEpsilon the budget the run was configured for (selects the published figures)
     * @param epsilon total epsilon actually spent by the model (at most the target)
     * @param delta delta of the guarantee
     * @param accountant accountant that computed epsilon, e.g. "RDP" or "PRV"
     * @param phases the ledger: each phase of training that touched the private data
     */
    public record Privacy(double targetEpsilon, double epsilon, double delta, String accountant,
                          List<LedgerPhase> phases) {
        public Privacy {
            if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
                throw new IllegalArgumentException(
                        "privacy.targetEpsilon: expected a finite value > 0, got " + targetEpsilon);
            }
            if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("privacy.epsilon: expected a finite value >= 0, got " + epsilon);
            }
            if (!(delta >= 0 && delta < 1)) {
                throw new IllegalArgumentException("privacy.delta: expected a value in [0, 1), got " + delta);
            }
            text(accountant, "privacy.accountant");
            phases = List.copyOf(phases);
        }
    }

    /**
     * @param name phase name, e.g. "training"
     * @param steps number of DP-SGD steps
     * @param sampleRate Poisson sampling rate q
     * @param noiseMultiplier noise standard deviation divided by the clipping norm
     */
    public record LedgerPhase(String name, long steps, double sampleRate, double noiseMultiplier) {
        public LedgerPhase {
            text(name, "ledger phase name");
            if (steps < 0 || !(sampleRate > 0 && sampleRate <= 1) || !(noiseMultiplier >= 0)) {
                throw new IllegalArgumentException("ledger phase " + name + ": expected steps >= 0, 0 < q <= 1,"
                        + " noise multiplier >= 0, got " + steps + ", " + sampleRate + ", " + noiseMultiplier);
            }
        }
    }

    /**
     * @param featureSpace what the features are, e.g. "dpdm classifier features (128)" or
     *     "InceptionV3 pool3 (pytorch-fid weights)"; the report never calls a distance FID by itself
     * @param distance the squared Frechet distance
     * @param reference what the synthetic set was compared with, e.g. "real training set"
     */
    public record Frechet(String featureSpace, double distance, String reference) {
        public Frechet {
            text(featureSpace, "frechet.featureSpace");
            text(reference, "frechet.reference");
            if (!(distance >= 0) || Double.isInfinite(distance)) {
                throw new IllegalArgumentException("frechet.distance: expected a finite value >= 0, got " + distance);
            }
        }
    }

    /** One point of a curve. */
    public record Point(long step, double value) {}

    /**
     * @param trainingLoss mean training loss per step (computed on private data: not DP)
     * @param epsilon epsilon spent after each step
     */
    public record Curves(List<Point> trainingLoss, List<Point> epsilon) {
        public Curves {
            trainingLoss = List.copyOf(trainingLoss);
            epsilon = List.copyOf(epsilon);
        }
    }

    /**
     * PNG pictures made by the caller (null when absent).
     *
     * @param sampleGrid a grid of synthetic samples
     * @param closestPairs synthetic images next to their nearest training images
     *     (see {@link ReportImages#closestPairs})
     * @param warmStartRelease the central images the run released for its warm start (a phase of
     *     the guarantee), one row per class
     */
    public record Images(byte[] sampleGrid, byte[] closestPairs, byte[] warmStartRelease) {
        public Images {
            requirePng(sampleGrid, "images.sampleGrid");
            requirePng(closestPairs, "images.closestPairs");
            requirePng(warmStartRelease, "images.warmStartRelease");
        }

        private static void requirePng(byte[] bytes, String field) {
            byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
            if (bytes != null && (bytes.length < magic.length
                    || !java.util.Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length))) {
                throw new IllegalArgumentException(field + ": expected PNG bytes");
            }
        }
    }
}
