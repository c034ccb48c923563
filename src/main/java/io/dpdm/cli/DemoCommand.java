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
 * {@code dpdm demo}: the main job on the embedded Fashion-MNIST. Trains privately at
 * (eps = 10, delta = 1e-5) with a preset ({@link Trainer}), samples a class-balanced synthetic set
 * ({@link SampleService}) and evaluates it ({@link Evaluation}), all into one folder. The budgets
 * (synthetic set size, sampler steps, classifier epochs) are chosen per preset so that
 * {@code quick} fits in about 15 minutes on 2 cores; the report states where they depart from the
 * DPDM protocol.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train privately on Fashion-MNIST (eps=10, delta=1e-5), sample, evaluate, report.")
final class DemoCommand implements Callable<Integer> {
    static final String DATA = "fashion-mnist";
    static final double EPSILON = 10;
    static final double DELTA = 1e-5;

    /** Per preset: synthetic images, Heun steps, classifier epochs. */
    enum Budget {
        QUICK(6_000, 10, 2),
        CPU(10_000, 18, 10);

        final int images;
        final int sampleSteps;
        final int classifierEpochs;

        Budget(int images, int sampleSteps, int classifierEpochs) {
            this.images = images;
            this.sampleSteps = sampleSteps;
            this.classifierEpochs = classifierEpochs;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "quick|cpu", description = "quick (~15 min on 2 cores, default) or cpu"
            + " (about an hour).")
    String preset = "quick";

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
        Path dir = out != null ? out
                : Path.of("dpdm-demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        EvaluateCommand.ProgressLines log = new EvaluateCommand.ProgressLines();
        long start = System.nanoTime();

        log.phase("demo: loading " + DATA);
        ImageDataset data = Datasets.open(DATA, LoadOptions.defaults());
        TrainConfig config = Preset.byName(preset).config(DATA, data, EPSILON, DELTA);
        log.phase("demo: private training (preset " + preset + ", eps " + EPSILON + ", delta " + DELTA + ") into "
                + dir.resolve("run"));
        Trainer.Result trained;
        try (Trainer trainer = Trainer.start(config, dir.resolve("run"), null)) {
            trained = trainer.run(new Trainer.Options(true, null));
        }

        Path synthetic = dir.resolve("run").resolve(SyntheticSet.IN_RUN);
        log.phase("demo: sampling " + budget.images + " class-balanced images (Heun, " + budget.sampleSteps
                + " noise levels) into " + synthetic);
        long[] lastReport = {0};
        SampleService.run(new SampleRequest(dir.resolve("run"), budget.images, null,
                new SamplerSettings(NoiseGrid.edm(budget.sampleSteps), new Solver.Heun(), 0), 0, 256, WeightSet.EMA,
                synthetic, EnumSet.of(OutputFormat.IDX)), (done, total) -> {
                    if (done == total || done - lastReport[0] >= total / 10) {
                        lastReport[0] = done;
                        log.phase(String.format(Locale.ROOT, "demo: sampled %d / %d", done, total));
                    }
                });

        List<String> notes = List.of("Demo budget (preset " + preset + "): " + budget.images + " synthetic images"
                + " sampled with " + budget.sampleSteps + " Heun noise levels; the DPDM paper trains far longer"
                + " (4,500 steps of batch 4,096 on 8 GPUs) and samples 60,000 images.");
        EvaluationRequest request = new EvaluationRequest(synthetic, DATA, dir.resolve("report"),
                List.of(ClassifierKind.LOGREG, ClassifierKind.MLP, ClassifierKind.CNN), budget.classifierEpochs, budget.classifierEpochs,
                Optional.empty(), cache == null ? EvaluationRequest.defaultCache() : cache, 0.1, 5000, 0, notes);
        Evaluation.Result r = Evaluation.run(SyntheticSet.open(synthetic), data, request, log);

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
