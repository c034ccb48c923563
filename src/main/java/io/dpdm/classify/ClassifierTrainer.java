package io.dpdm.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.dpdm.data.ImageSplit;
import io.dpdm.dp.Adam;
import io.dpdm.dp.Clipping;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.DpSgd;
import io.dpdm.dp.DpSgdConfig;
import io.dpdm.dp.Ema;
import io.dpdm.dp.GradientSource;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import io.dpdm.privacy.Accountant;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.NoiseCalibration;
import io.dpdm.privacy.PrivacyLedger;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Trains a {@link Classifier} on a training split, non-privately (DPDM's evaluation protocol:
 * Adam, shuffled epochs) or with DP-SGD ({@link DpSgd}: Poisson sampling, per-example clipping,
 * Gaussian noise calibrated to the (eps, delta) target, a {@link PrivacyLedger} advanced once per
 * logical step). After every epoch the classifier is scored on the validation split, if one is
 * given, and at the end it holds the weights of the best epoch (ties: the earliest).
 *
 * <p>Model selection must never look at the test split: the evaluation trains on synthetic data
 * and passes a held-out SYNTHETIC split as validation. In private training, a validation split
 * drawn from the private data would leak through the choice of epoch; pass none (the last epoch is
 * kept) unless the validation data is public or synthetic.
 */
public final class ClassifierTrainer {
    private ClassifierTrainer() {}

    /** Told of progress; all methods optional. */
    public interface Progress {
        Progress NONE = new Progress() {};

        /** Before the first step: the total number of (logical) steps. */
        default void start(long totalSteps) {}

        default void step() {}

        /** After epoch {@code epoch} (1-based); NaN when there is no validation split. */
        default void epochDone(int epoch, double validationAccuracy) {}
    }

    /**
     * @param validation held-out split for epoch selection (never the test split), or empty
     */
    public static TrainingResult train(Classifier classifier, ImageSplit train, Optional<ImageSplit> validation,
            TrainingSettings settings, Progress progress) {
        if (train.size() == 0) {
            throw new IllegalArgumentException("the training split is empty");
        }
        for (ImageSplit split : validation.map(v -> new ImageSplit[] {train, v}).orElse(new ImageSplit[] {train})) {
            if (!split.shape().equals(classifier.shape())) {
                throw new IllegalArgumentException("images are " + split.shape() + " but the classifier was built for "
                        + classifier.shape());
            }
            int[] counts = split.classCounts(Arrays.stream(split.labels()).max().orElse(0) + 1);
            if (counts.length > classifier.numClasses()) {
                throw new IllegalArgumentException("labels go up to " + (counts.length - 1) + " but the classifier has "
                        + classifier.numClasses() + " classes");
            }
        }
        Selection selection = new Selection(classifier, validation, settings.epochs());
        try {
            Optional<TrainingResult.PrivacySpent> privacy = Optional.empty();
            if (settings instanceof TrainingSettings.Private s) {
                privacy = Optional.of(dpSgd(classifier, train, s, selection, progress));
            } else {
                nonPrivate(classifier, train, (TrainingSettings.NonPrivate) settings, selection, progress);
            }
            selection.restoreBest();
            return new TrainingResult(settings.epochs(), selection.bestEpoch, selection.accuracies, privacy);
        } finally {
            selection.close();
        }
    }

    private static void nonPrivate(Classifier c, ImageSplit train, TrainingSettings.NonPrivate s,
            Selection selection, Progress progress) {
        ParameterStore store = c.parameters();
        Adam adam = new Adam(store.asMap(), s.learningRate());
        int n = train.size();
        int batchesPerEpoch = (n + s.batchSize() - 1) / s.batchSize();
        progress.start((long) batchesPerEpoch * s.epochs());
        SplittableRandom shuffler = new SplittableRandom(s.seed());
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            shuffle(order, shuffler);
            for (int from = 0; from < n; from += s.batchSize()) {
                int[] batch = Arrays.copyOfRange(order, from, Math.min(n, from + s.batchSize()));
                try (NDScope scope = new NDScope();
                        NDManager m = store.manager().newSubManager()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = train.images(m, batch);
                    NDArray y = train.labels(m, batch);
                    BatchRandomness dropout = BatchRandomness.seeded(shuffler.nextLong(), batch.length, 1);
                    Map<String, NDArray> grads = Gradients.batch(m, store, batch.length, 1, dropout,
                            w -> c.loss(w, x, y));
                    grads.values().forEach(g -> g.divi((float) batch.length)); // mean loss
                    adam.update(grads);
                }
                progress.step();
            }
            progress.epochDone(epoch, selection.afterEpoch(epoch));
        }
    }

    private static TrainingResult.PrivacySpent dpSgd(Classifier c, ImageSplit train, TrainingSettings.Private s,
            Selection selection, Progress progress) {
        int n = train.size();
        if (s.batchSize() > n) {
            throw new IllegalArgumentException("batch size " + s.batchSize() + " exceeds the " + n + " training images");
        }
        double q = (double) s.batchSize() / n;
        long stepsPerEpoch = (n + s.batchSize() - 1) / s.batchSize();
        long steps = stepsPerEpoch * s.epochs();
        Accountant accountant = Accountants.byName(s.accountant());
        double sigma = NoiseCalibration.noiseMultiplier(accountant, s.epsilon(), s.delta(), q, steps);
        PrivacyLedger ledger = new PrivacyLedger();
        ParameterStore store = c.parameters();
        Map<String, NDArray> params = store.asMap();
        DpSgd dp = new DpSgd(new DpSgdConfig(n, q, sigma, s.clipNorm(), Clipping.FLAT, s.microBatchSize()), params,
                new Adam(params, s.learningRate()), new Ema(params, 0.999),
                random(s), ledger::append);
        // Dropout masks enter the gradients: keyed per record by the run's secret, like the noise.
        GradientSource source = (indices, randomness, m) -> {
            NDArray x = train.images(m, indices);
            NDArray y = train.labels(m, indices);
            return Gradients.factored(m, store, indices.length, 1, randomness.batch(train.recordIds(indices), 1),
                    w -> c.loss(w, x, y));
        };
        progress.start(steps);
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            for (long i = 0; i < stepsPerEpoch; i++) {
                dp.step(source);
                progress.step();
            }
            progress.epochDone(epoch, selection.afterEpoch(epoch));
        }
        double spent = s.keys().secret() ? ledger.epsilon(s.delta(), accountant).epsilon() : Double.POSITIVE_INFINITY;
        return new TrainingResult.PrivacySpent(q, sigma, ledger.totalSteps(), s.clipNorm(), spent, s.delta(),
                s.accountant(), ledger);
    }

    private static DpRandom random(TrainingSettings.Private s) {
        return switch (s.keys()) {
            case RUN_SECRET -> DpRandom.newRunSecret(); // no checkpoint: the secret dies with the process
            case FRESH -> DpRandom.fresh();
            case PUBLIC_SEED -> DpRandom.publicSeed(s.seed());
        };
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Epoch selection: validation accuracy per epoch and a copy of the best epoch's weights. */
    private static final class Selection implements AutoCloseable {
        private final Classifier classifier;
        private final Optional<ImageSplit> validation;
        private final double[] accuracies;
        private ParameterStore best;
        private int bestEpoch;

        Selection(Classifier classifier, Optional<ImageSplit> validation, int epochs) {
            this.classifier = classifier;
            this.validation = validation;
            this.accuracies = new double[validation.isPresent() ? epochs : 0];
        }

        double afterEpoch(int epoch) {
            if (validation.isEmpty()) {
                bestEpoch = epoch;
                return Double.NaN;
            }
            double acc = classifier.accuracy(validation.get()).overall();
            accuracies[epoch - 1] = acc;
            if (best == null || acc > accuracies[bestEpoch - 1]) {
                bestEpoch = epoch;
                if (best != null) {
                    best.close();
                }
                best = classifier.parameters().copy();
            }
            return acc;
        }

        void restoreBest() {
            if (best != null) {
                best.asMap().forEach((name, p) -> Torch.assign(classifier.parameters().get(name), p));
            }
        }

        @Override
        public void close() {
            if (best != null) {
                best.close();
            }
        }
    }
}
