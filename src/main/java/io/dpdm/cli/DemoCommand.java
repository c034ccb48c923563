package io.dpdm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dpdm.api.Dpdm;
import io.dpdm.api.Job;
import io.dpdm.eval.EvaluationRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpdm demo}: the whole job ({@link Job}) on an embedded data set, Fashion-MNIST by default:
 * private training with a preset, a class-balanced synthetic set, its evaluation. Parses, calls
 * {@link Dpdm#run} and prints.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train privately (default: Fashion-MNIST, eps=10, delta=1e-5), sample, evaluate, report.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "quick|cpu", description = "quick (at most 15 min on 2 cores) or cpu"
            + " (at most an hour) (default: ${DEFAULT-VALUE}).")
    String preset = "quick";

    @Option(names = "--data", paramLabel = "NAME|PATH", description = "Private data: embedded name or path"
            + " (default: ${DEFAULT-VALUE}).")
    String data = "fashion-mnist";

    @Option(names = "--epsilon", paramLabel = "E", description = "Target epsilon, counting every release"
            + " (default: ${DEFAULT-VALUE}).")
    double epsilon = 10;

    @Option(names = "--delta", paramLabel = "D", description = "Target delta (default: ${DEFAULT-VALUE}).")
    double delta = 1e-5;

    @Option(names = "--minutes", paramLabel = "M", description = "Wall minutes the whole job must fit on this CPU:"
            + " where the preset's DP-SGD steps and synthetic images would not fit, both shrink by one factor"
            + " (timed before training; default: the preset's, 15 or 60).")
    Double minutes;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for run/ and report/ (default:"
            + " dpdm-demo-<date-time>).")
    Path out;

    @Option(names = "--cache", paramLabel = "DIR", description = "Cache of real-data classifiers (default:"
            + " $XDG_CACHE_HOME/dpdm or ~/.cache/dpdm).")
    Path cache;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out
                : Path.of("dpdm-demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Job.Budget budget = Job.Budget.byName(preset);
        Job job = new Job(data, epsilon, delta, budget, minutes == null ? budget.minutes : minutes, dir,
                cache == null ? EvaluationRequest.defaultCache() : cache);
        Job.Result r = Dpdm.run(job, new EvaluateCommand.ProgressLines());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("epsilon", r.training().privacy().epsilon());
        figures.put("delta", r.training().privacy().delta());
        figures.put("steps", r.plan().steps());
        figures.put("images", r.plan().images());
        figures.putAll(EvaluateCommand.figures(r.evaluation()));
        figures.put("seconds", Math.round(r.seconds() * 10) / 10.0);
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
        } else {
            stdout.printf(Locale.ROOT, "private model: (eps %.4f, delta %s), %d steps; shareable: %s%n",
                    r.training().privacy().epsilon(), delta, r.training().steps(), job.runDir().resolve("model.zip"));
            EvaluateCommand.print(stdout, r.evaluation(), false);
            stdout.printf(Locale.ROOT, "total %.0f s%n", r.seconds());
        }
        stdout.flush();
        return Main.OK;
    }
}
