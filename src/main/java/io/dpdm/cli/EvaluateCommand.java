package io.dpdm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dpdm.classify.ClassifierKind;
import io.dpdm.eval.Evaluation;
import io.dpdm.eval.EvaluationRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
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

/** {@code dpdm evaluate}: parses options, runs {@link Evaluation}, prints the table or JSON. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a synthetic set against real data (DPDM protocol); write report.json/report.html.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--synthetic", required = true, paramLabel = "DIR|RUN_DIR",
            description = "Output folder of dpdm sample, or a training run folder holding one in synthetic/.")
    Path synthetic;

    @Option(names = "--real", required = true, paramLabel = "NAME|PATH",
            description = "Real data set: embedded name (fashion-mnist, mnist) or a path (see dpdm data info).")
    String real;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for report.json and report.html.")
    Path out;

    @Option(names = "--classifiers", split = ",", paramLabel = "cnn,mlp,logreg",
            description = "Downstream classifiers (default: cnn,mlp,logreg).")
    List<String> classifiers = List.of("cnn", "mlp", "logreg");

    @Option(names = "--epochs", paramLabel = "N", description = "Classifier epochs (default: ${DEFAULT-VALUE}, the"
            + " DPDM protocol).")
    int epochs = EvaluationRequest.PAPER_EPOCHS;

    @Option(names = "--real-epochs", paramLabel = "N", description = "Epochs of the classifiers trained on the real"
            + " data (the ceiling and the Frechet features; cached) (default: the same as --epochs).")
    Integer realEpochs;

    @Option(names = "--feature-extractor", paramLabel = "default|FILE.pt", description = "Features for the Frechet"
            + " distance: the CNN trained on the real data (default), or a TorchScript file taking (N,3,H,W) in"
            + " [0,1] (e.g. pytorch-fid's InceptionV3: the distance is then reported as FID).")
    String featureExtractor = "default";

    @Option(names = "--cache", paramLabel = "DIR", description = "Cache of real-data classifiers (default:"
            + " $XDG_CACHE_HOME/dpdm or ~/.cache/dpdm).")
    Path cache;

    @Option(names = "--validation", paramLabel = "FRACTION", description = "Fraction of the synthetic set held out"
            + " for epoch selection (default: ${DEFAULT-VALUE}).")
    double validation = 0.1;

    @Option(names = "--audit-samples", paramLabel = "N", description = "Synthetic and test images in the memorisation"
            + " audit, at most (default: ${DEFAULT-VALUE}).")
    int auditSamples = 5000;

    @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<ClassifierKind> kinds = classifiers.stream().map(String::trim).map(ClassifierKind::parse).toList();
        Optional<Path> extractor = featureExtractor.equals("default") ? Optional.empty()
                : Optional.of(Path.of(featureExtractor));
        EvaluationRequest request = new EvaluationRequest(synthetic, real, out, kinds, epochs,
                realEpochs == null ? epochs : realEpochs, extractor,
                cache == null ? EvaluationRequest.defaultCache() : cache, validation, auditSamples, seed, List.of());
        print(spec.commandLine().getOut(), Evaluation.run(request, new ProgressLines()), json);
        return Main.OK;
    }

    /** The JSON keys shared with dpdm demo: {@code <kind>_accuracy} (fractions), frechet_distance, report. */
    static Map<String, Object> figures(Evaluation.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        r.scores().forEach((kind, s) -> {
            m.put(kind.cliName() + "_accuracy", s.synthetic());
            m.put(kind.cliName() + "_real_accuracy", s.real());
            m.put(kind.cliName() + "_selected_epoch", s.selectedEpoch());
        });
        m.put("frechet_distance", r.frechet().distance());
        m.put("frechet_features", r.frechet().featureSpace());
        m.put("report", r.report().toAbsolutePath().toString());
        return m;
    }

    static void print(PrintWriter out, Evaluation.Result r, boolean json) throws Exception {
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures(r)));
        } else {
            out.printf(Locale.ROOT, "%-8s %12s %12s%n", "", "synthetic", "real data");
            r.scores().forEach((kind, s) -> out.printf(Locale.ROOT, "%-8s %11.2f%% %11.2f%%%n",
                    Evaluation.displayName(kind), 100 * s.synthetic(), 100 * s.real()));
            out.printf(Locale.ROOT, "Frechet distance (%s): %.4g%n", r.frechet().featureSpace(), r.frechet().distance());
            out.println("report: " + r.report().toAbsolutePath());
        }
        out.flush();
    }

    /** Phases and per-epoch lines on stderr (stdout stays clean for --json). */
    static final class ProgressLines implements Evaluation.Progress {
        private final long start = System.nanoTime();

        @Override
        public void phase(String message) {
            System.err.printf(Locale.ROOT, "[%5.0f s] %s%n", (System.nanoTime() - start) / 1e9, message);
        }

        @Override
        public io.dpdm.classify.ClassifierTrainer.Progress training(String label) {
            return new io.dpdm.classify.ClassifierTrainer.Progress() {
                @Override
                public void epochDone(int epoch, double validationAccuracy) {
                    phase(label + ": epoch " + epoch + (Double.isNaN(validationAccuracy) ? ""
                            : String.format(Locale.ROOT, ", held-out accuracy %.2f%%", 100 * validationAccuracy)));
                }
            };
        }
    }
}
