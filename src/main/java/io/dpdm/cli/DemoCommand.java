package io.dpdm.cli;

import io.dpdm.classify.ClassifierKind;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.LoadOptions;
import io.dpdm.eval.Evaluation;
import io.dpdm.eval.EvaluationRequest;
import io.dpdm.eval.SyntheticSet;
import io.dpdm.sample.NoiseGrid;
import io.dpdm.sample.OutputFormat;
import io.dpdm.sample.SampleRequest;
import io.dpdm.sample.SampleService;
import io.dpdm.sample.SamplerSettings;
import io.dpdm.sample.Solver;
import io.dpdm.sample.WeightSet;
import io.dpdm.train.Preset;
import io.dpdm.train.TrainConfig;
import io.dpdm.train.Trainer;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpdm demo}: the main job on an embedded data set (Fashion-MNIST by default). Trains
 * privately at (eps, delta = 1e-5) with a preset ({@link Trainer}), samples a class-balanced
 * synthetic set ({@link SampleService}) and evaluates it ({@link Evaluation}), all into one folder.
 * The budgets (synthetic set size, sampler steps, classifier epochs on synthetic and on real data,
 * audit size) are chosen per preset so that {@code quick} fits in 15 minutes and {@code cpu} in an
 * hour on 2 cores; the report states where they depart from the DPDM protocol.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train privately (default: Fashion-MNIST, eps=10, delta=1e-5), sample, evaluate, report.")
final class DemoCommand implements Callable<Integer> {
    static final double DELTA = 1e-5;

    /**
     * Per preset: synthetic images, noise levels of EDM's stochastic sampler (DPDM's churn setting:
     * rows E4 and G-churn of docs/EXPERIMENTS.md), classifier epochs on the synthetic set and on the
     * real training set (the ceiling and the Frechet features; cached), audited images.
     */
    enum Budget {
        QUICK(6_000, 10, 20, 2, 2_000),
        CPU(10_000, 12, 20, 5, 5_000);

        final int images;
        final int sampleSteps;
        final int classifierEpochs;
        final int realEpochs;
        final int auditSamples;

        Budget(int images, int sampleSteps, int classifierEpochs, int realEpochs, int auditSamples) {
            this.images = images;
            this.sampleSteps = sampleSteps;
            this.classifierEpochs = classifierEpochs;
            this.realEpochs = realEpochs;
            this.auditSamples = auditSamples;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "quick|cpu", description = "quick (at most 15 min on 2 cores) or cpu"
            + " (at most an hour) (default: ${DEFAULT-VALUE}).")
    String preset = "quick";

    @Option(names = "--data", paramLabel = "NAME", description = "Embedded data set (default: ${DEFAULT-VALUE}).")
    String data = "fashion-mnist";

    @Option(names = "--epsilon", paramLabel = "E", description = "Target epsilon at delta 1e-5, counting every"
            + " release (default: ${DEFAULT-VALUE}).")
    double epsilon = 10;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for run/, synthetic/ and report/ (default:"
            + " dpdm-demo-<date-time>).")
    Path out;

    @Option(names = "--cache", paramLabel = "DIR", description = "Cache of real-data classifiers (default:"
            + " $XDG_CACHE_HOME/dpdm or ~/.cache/dpdm).")
    Path cache;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Budget budget = switch (preset.toLowerCase(Locale.ROOT)) {
            case "quick" -> Budget.QUICK;
            case "cpu" -> Budget.CPU;
            default -> throw new IllegalArgumentException("--preset: expected quick or cpu, got '" + preset + "'");
        };
        if (!(epsilon > 0 && Double.isFinite(epsilon))) {
            throw new IllegalArgumentException("--epsilon must be finite and > 0, got " + epsilon);
        }
        Path dir = out != null ? out
                : Path.of("dpdm-demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        EvaluateCommand.ProgressLines log = new EvaluateCommand.ProgressLines();
        long start = System.nanoTime();

        log.phase("demo: loading " + data);
        ImageDataset dataset = Datasets.open(data, LoadOptions.defaults());
        TrainConfig config = Preset.byName(preset).config(data, dataset, epsilon, DELTA);
        log.phase("demo: private training (preset " + preset + ", eps " + epsilon + ", delta " + DELTA + ") into "
                + dir.resolve("run"));
        Trainer.Result trained;
        try (Trainer trainer = Trainer.start(config, dir.resolve("run"), null)) {
            trained = trainer.run(new Trainer.Options(true, null));
        }

        Path synthetic = dir.resolve("run").resolve(SyntheticSet.IN_RUN);
        log.phase("demo: sampling " + budget.images + " class-balanced images (EDM churn, " + budget.sampleSteps
                + " noise levels) into " + synthetic);
        long[] lastReport = {0};
        SampleService.run(new SampleRequest(dir.resolve("run"), budget.images, null,
                new SamplerSettings(NoiseGrid.edm(budget.sampleSteps), Solver.Stochastic.DPDM, 0), 0, 256, WeightSet.EMA,
                synthetic, EnumSet.of(OutputFormat.IDX)), (done, total) -> {
                    if (done == total || done - lastReport[0] >= total / 10) {
                        lastReport[0] = done;
                        log.phase(String.format(Locale.ROOT, "demo: sampled %d / %d", done, total));
                    }
                });

        List<String> notes = List.of("Demo budget (preset " + preset + "): " + budget.images + " synthetic images"
                + " sampled with " + budget.sampleSteps + " noise levels (EDM churn); classifiers trained "
                + budget.classifierEpochs + " epochs on the synthetic set and " + budget.realEpochs + " on the real"
                + " training set (the ceiling); the DPDM paper trains far longer (4,500 steps of batch 4,096 on 8"
                + " GPUs), samples 60,000 images and trains classifiers 50 epochs.");
        EvaluationRequest request = new EvaluationRequest(synthetic, data, dir.resolve("report"),
                List.of(ClassifierKind.LOGREG, ClassifierKind.MLP, ClassifierKind.CNN), budget.classifierEpochs,
                budget.realEpochs, Optional.empty(), cache == null ? EvaluationRequest.defaultCache() : cache, 0.1,
                budget.auditSamples, 0, notes);
        Evaluation.Result r = Evaluation.run(SyntheticSet.open(synthetic), dataset, request, log);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("epsilon", trained.privacy().epsilon());
        figures.put("delta", trained.privacy().delta());
        figures.putAll(EvaluateCommand.figures(r));
        figures.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
        if (json) {
            spec.commandLine().getOut().println(new com.fasterxml.jackson.databind.ObjectMapper()
                    .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(figures));
        } else {
            spec.commandLine().getOut().printf(Locale.ROOT, "private model: (eps %.4f, delta %s), %d steps%n",
                    trained.privacy().epsilon(), DELTA, trained.steps());
            EvaluateCommand.print(spec.commandLine().getOut(), r, false);
            spec.commandLine().getOut().printf(Locale.ROOT, "total %.0f s%n", (double) figures.get("seconds"));
        }
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
