package io.dpdm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import io.dpdm.classify.Accuracy;
import io.dpdm.classify.Classifier;
import io.dpdm.classify.ClassifierKind;
import io.dpdm.classify.ClassifierTrainer;
import io.dpdm.classify.HoldOut;
import io.dpdm.classify.TrainingResult;
import io.dpdm.classify.TrainingSettings;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageGrid;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.data.LoadOptions;
import io.dpdm.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The evaluation service behind {@code dpdm evaluate} and {@code dpdm demo}: DPDM's downstream
 * protocol (Dockhorn et al. 2023, Sec. 5: each classifier trained on the synthetic set, its epoch
 * chosen on a held-out part of the SYNTHETIC set, accuracy on the real test set), the same
 * classifiers trained on the real training data as the ceiling ({@link RealBaselines}), the
 * Frechet distance between the synthetic set and the real training set in a feature space (by
 * default the penultimate layer of the real-data CNN; a standard FID only with a user-supplied
 * TorchScript network), the memorisation audit in pixel and feature space, and the report.
 */
public final class Evaluation {
    private static final int CLOSEST_PAIRS = 16;
    private static final int GRID_PER_CLASS = 10;
    private static final int GRID_SCALE = 2;

    private Evaluation() {}

    /** Told what the evaluation is doing; all methods optional. */
    public interface Progress {
        Progress NONE = new Progress() {};

        /** A new phase starts (one line of text). */
        default void phase(String message) {}

        /** Progress of one classifier's training; {@code label} names it. */
        default ClassifierTrainer.Progress training(String label) {
            return ClassifierTrainer.Progress.NONE;
        }
    }

    /**
     * Accuracies on the real test set as fractions in [0, 1].
     *
     * @param synthetic trained on the synthetic set
     * @param real trained on the real training set (the ceiling)
     * @param selectedEpoch the epoch chosen on the synthetic hold-out
     */
    public record Score(double synthetic, double real, int selectedEpoch) {}

    /**
     * @param report the written report.html
     * @param scores per classifier, in request order
     * @param frechet the Frechet distance and its feature space
     * @param data everything the report shows
     */
    public record Result(Path report, Map<ClassifierKind, Score> scores, ReportData.Frechet frechet, ReportData data) {}

    /** Opens the synthetic set and the real data named by the request, then evaluates. */
    public static Result run(EvaluationRequest request, Progress progress) {
        SyntheticSet set = SyntheticSet.open(request.synthetic());
        progress.phase("loading real data " + request.real());
        ImageDataset real = Datasets.open(request.real(), LoadOptions.defaults());
        return run(set, real, request, progress);
    }

    /** Evaluates an opened synthetic set against an opened real data set. */
    public static Result run(SyntheticSet set, ImageDataset real, EvaluationRequest request, Progress progress) {
        checkCompatible(set, real);
        RealBaselines baselines = new RealBaselines(request.cache(), real, request.realEpochs(), request.seed());
        // A user-supplied extractor is loaded first, so that a bad file fails before any training.
        try (Extractor extractor = extractor(request, baselines, real, progress)) {
            return evaluate(set, real, request, baselines, extractor.features(), progress);
        }
    }

    private static Result evaluate(SyntheticSet set, ImageDataset real, EvaluationRequest request,
            RealBaselines baselines, FeatureExtractor f, Progress progress) {
        ImageSplit synthetic = set.images().train();
        Map<ClassifierKind, Score> scores = new LinkedHashMap<>();
        List<ReportData.Accuracy> accuracies = new ArrayList<>();
        List<ReportData.PerClass> perClass = new ArrayList<>();
        HoldOut split = HoldOut.of(synthetic, request.validationFraction(), request.seed());
        if (split.validation() == null) {
            throw new DpdmException("--synthetic " + set.dir() + ": " + synthetic.size() + " images are too few to hold"
                    + " out " + request.validationFraction() + " of them for epoch selection");
        }
        for (ClassifierKind kind : request.classifiers()) {
            String name = displayName(kind);
            progress.phase(name + ": real-data ceiling (cache " + baselines.entry(kind) + ")");
            RealBaselines.Baseline baseline = baselines.get(kind, progress.training(name + " on real"));
            baseline.classifier().close();
            double ceiling = baseline.testAccuracy().overall();
            progress.phase(name + ": training on " + split.train().size() + " synthetic images, epoch chosen on "
                    + split.validation().size() + " held-out synthetic images");
            try (Classifier c = Classifier.create(kind, real.shape(), real.numClasses(), request.seed())) {
                TrainingResult tr = ClassifierTrainer.train(c, split.train(), Optional.of(split.validation()),
                        TrainingSettings.NonPrivate.paper(request.epochs(), request.seed()),
                        progress.training(name + " on synthetic"));
                Accuracy test = c.accuracy(real.test());
                scores.put(kind, new Score(test.overall(), ceiling, tr.selectedEpoch()));
                accuracies.add(new ReportData.Accuracy(name, 100 * test.overall(), 100 * ceiling));
                double[] pc = Arrays.stream(test.perClass()).map(a -> 100 * a).toArray();
                if (Arrays.stream(pc).noneMatch(Double::isNaN)) {
                    perClass.add(new ReportData.PerClass(name, real.classNames(), pc));
                }
            }
        }

        progress.phase("features for the Frechet distance and the audit");
        ImageSplit auditSynthetic = subset(synthetic, request.auditSamples(), request.seed());
        ImageSplit auditTest = subset(real.test(), request.auditSamples(), request.seed() + 1);
        RowMatrix trainPixels = pixels(real.train());
        RowMatrix auditSyntheticPixels = pixels(auditSynthetic);
        float[][] trainFeatures = f.features(real.train());
        double distance = FrechetDistance.between(GaussianStats.of(f.features(synthetic)),
                GaussianStats.of(trainFeatures));
        ReportData.Frechet frechet = new ReportData.Frechet(f.standardFid() ? "FID features of " + f.name()
                : f.name(), distance, "real training set (" + real.train().size() + " images)");
        progress.phase("memorisation audit: " + auditSynthetic.size() + " synthetic and " + auditTest.size()
                + " real test images against " + real.train().size() + " training images");
        List<MemorisationAudit> audits = List.of(
                MemorisationAudit.run("pixels", trainPixels, auditSyntheticPixels, pixels(auditTest), CLOSEST_PAIRS),
                MemorisationAudit.run(f.name(), RowMatrix.of(trainFeatures), RowMatrix.of(f.features(auditSynthetic)),
                        RowMatrix.of(f.features(auditTest)), CLOSEST_PAIRS));
        ImageShape s = real.shape();
        byte[] pairs = ReportImages.closestPairs(audits.get(0), auditSyntheticPixels, trainPixels, s.channels(),
                s.height(), s.width());

        List<String> notes = new ArrayList<>(request.notes());
        if (request.epochs() != EvaluationRequest.PAPER_EPOCHS) {
            notes.add("Classifiers were trained for " + request.epochs() + " epochs; the DPDM protocol uses "
                    + EvaluationRequest.PAPER_EPOCHS + ".");
        }
        if (auditSynthetic.size() < synthetic.size() || auditTest.size() < real.test().size()) {
            notes.add("The memorisation audit uses a random subset of " + auditSynthetic.size() + " synthetic and "
                    + auditTest.size() + " test images (all " + real.train().size() + " training images are searched).");
        }
        ReportData data = new ReportData(
                new ReportData.Headline("dpdm evaluation: " + set.dir().toAbsolutePath().normalize().getFileName(),
                        real.name(), synthetic.size(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                        notes),
                accuracies, perClass, privacy(set), List.of(frechet), curves(set.runDir()), audits,
                new ReportData.Images(sampleGrid(set, request.out()), pairs, warmStartRelease(set)));
        progress.phase("writing the report");
        Path html = ReportWriter.write(data, request.out());
        return new Result(html, scores, frechet, data);
    }

    /** "LogReg", "MLP", "CNN": the names of the DPDM paper (and of {@link PublishedResults}). */
    public static String displayName(ClassifierKind kind) {
        return switch (kind) {
            case LOGREG -> "LogReg";
            case MLP -> "MLP";
            case CNN -> "CNN";
        };
    }

    private static void checkCompatible(SyntheticSet set, ImageDataset real) {
        ImageDataset syn = set.images();
        if (!syn.shape().equals(real.shape())) {
            throw new DpdmException("--synthetic " + set.dir() + ": images are " + syn.shape() + " but the real data set "
                    + real.name() + " has " + real.shape());
        }
        if (syn.numClasses() == 1 && real.numClasses() > 1) {
            throw new DpdmException("--synthetic " + set.dir() + ": the images have one class ('"
                    + syn.classNames().get(0) + "'), an unconditional model's output; the downstream classifiers"
                    + " need a class-conditional model trained on " + real.name());
        }
        if (!syn.classNames().equals(real.classNames())) {
            throw new DpdmException("--synthetic " + set.dir() + ": classes " + syn.classNames()
                    + " do not match the real data set " + real.name() + "'s " + real.classNames());
        }
        if (real.test().size() == 0) {
            throw new DpdmException("real data set " + real.name() + " has no test split (accuracy is measured on it)");
        }
    }

    /** The TorchScript network if requested, else the real-data CNN (closed with the extractor). */
    private record Extractor(FeatureExtractor features, AutoCloseable owner) implements AutoCloseable {
        @Override
        public void close() {
            features.close();
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Extractor extractor(EvaluationRequest request, RealBaselines baselines, ImageDataset real,
            Progress progress) {
        if (request.featureExtractor().isPresent()) {
            TorchScriptFeatures t = TorchScriptFeatures.load(request.featureExtractor().get());
            return new Extractor(t, () -> {});
        }
        Classifier cnn = baselines.get(ClassifierKind.CNN, progress.training("CNN on real")).classifier();
        return new Extractor(FeatureExtractor.of(cnn, "dpdm CNN features (" + cnn.featureSize()
                + "-d penultimate layer of the CNN trained on " + real.name() + ")"), cnn);
    }

    private static ImageSplit subset(ImageSplit split, int max, long seed) {
        return split.size() <= max ? split : HoldOut.of(split, (double) max / split.size(), seed).validation();
    }

    private static RowMatrix pixels(ImageSplit split) {
        int[] all = new int[split.size()];
        Arrays.setAll(all, i -> i);
        return new RowMatrix(split.signed(all), split.size(), split.shape().size());
    }

    /** The set's own grid.png when present, else a grid rendered into the report folder. */
    private static byte[] sampleGrid(SyntheticSet set, Path out) {
        try {
            Path own = set.dir().resolve("grid.png");
            if (Files.isRegularFile(own)) {
                return Files.readAllBytes(own);
            }
            Path png = out.resolve("samples.png");
            ImageGrid.write(png, set.images().train(), set.images().classNames(), GRID_PER_CLASS, GRID_SCALE);
            return Files.readAllBytes(png);
        } catch (IOException e) {
            throw new DpdmException("cannot read or write the sample grid: " + e.getMessage());
        }
    }

    /** The central images the run released for its warm start (a release, so shareable); null without. */
    private static byte[] warmStartRelease(SyntheticSet set) {
        Optional<Path> png = set.runDir().map(run -> run.resolve(Trainer.RELEASED_FILE)).filter(Files::isRegularFile);
        try {
            return png.isPresent() ? Files.readAllBytes(png.get()) : null;
        } catch (IOException e) {
            throw new DpdmException(png.get() + ": cannot read the released central images: " + e.getMessage());
        }
    }

    /** The guarantee recorded in the manifest; null when the images carry none. */
    static ReportData.Privacy privacy(SyntheticSet set) {
        JsonNode p = set.manifest().path("privacy");
        double epsilon = p.path("epsilon").asDouble(Double.NaN);
        if (!Double.isFinite(epsilon)) {
            return null;
        }
        List<ReportData.LedgerPhase> phases = new ArrayList<>();
        int i = 1;
        for (JsonNode ph : p.path("ledger").path("phases")) {
            String label = ph.path("label").asText("");
            phases.add(new ReportData.LedgerPhase("phase " + i++ + (label.isEmpty() ? "" : ": " + label), ph.path("steps").asLong(),
                    ph.path("q").asDouble(), ph.path("sigma").asDouble()));
        }
        double target = set.runDir().map(run -> targetEpsilon(run.resolve("config.json"))).orElse(Double.NaN);
        return new ReportData.Privacy(Double.isFinite(target) ? target : epsilon, epsilon,
                p.path("delta").asDouble(), p.path("accountant").asText("unknown"), phases);
    }

    private static double targetEpsilon(Path config) {
        try {
            return Files.isRegularFile(config)
                    ? new ObjectMapper().readTree(config.toFile()).path("privacy").path("epsilon").asDouble(Double.NaN)
                    : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Loss and epsilon per logged step from the run's metrics.jsonl (empty without a run). */
    static ReportData.Curves curves(Optional<Path> runDir) {
        List<ReportData.Point> loss = new ArrayList<>();
        List<ReportData.Point> eps = new ArrayList<>();
        Optional<Path> metrics = runDir.map(r -> r.resolve("metrics.jsonl")).filter(Files::isRegularFile);
        if (metrics.isPresent()) {
            for (JsonNode row : io.dpdm.train.MetricsLog.read(metrics.get())) {
                long step = row.path("step").asLong(-1);
                if (step < 0) {
                    continue;
                }
                if (row.path("loss").isNumber()) {
                    loss.add(new ReportData.Point(step, row.get("loss").asDouble()));
                }
                JsonNode e = row.has("epsilon") ? row.get("epsilon") : row.path("eps");
                if (e.isNumber() && Double.isFinite(e.asDouble())) {
                    eps.add(new ReportData.Point(step, e.asDouble()));
                }
            }
        }
        return new ReportData.Curves(loss, eps);
    }
}
