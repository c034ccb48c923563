package io.dpdm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.nn.Precision;
import io.dpdm.sample.NoiseGrid;
import io.dpdm.sample.OutputFormat;
import io.dpdm.sample.SampleRequest;
import io.dpdm.sample.SampleService;
import io.dpdm.sample.SamplerSettings;
import io.dpdm.sample.Solver;
import io.dpdm.sample.WeightSet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dpdm sample}: parses the options into a {@link SampleRequest} and runs {@link SampleService}. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Generate a synthetic data set from a trained model (post-processing: never reads any data set).")
final class SampleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final class Source {
        @Option(names = "--run", paramLabel = "RUN_DIR", description = "Training run folder (its model.zip).")
        Path run;

        @Option(names = "--checkpoint", paramLabel = "FILE", description = "Model file (a model.zip, or a run's"
                + " checkpoint.zip).")
        Path checkpoint;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "Number of images, split evenly over the classes (no default: required unless --classes"
                    + " gives counts).")
    int count;

    @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "edm-churn", description = "euler"
            + " (probability-flow ODE, \"DDIM\"), euler-maruyama (reverse SDE), heun, edm-churn (default:"
            + " ${DEFAULT-VALUE}, as the demo).")
    String sampler;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "10", description = "Noise levels of the grid (>= 2)"
            + " (default: ${DEFAULT-VALUE}, as the quick demo).")
    int steps;

    @Option(names = "--guidance", paramLabel = "W", defaultValue = "0",
            description = "Classifier-free guidance weight (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--classes", paramLabel = "LIST",
            description = "Classes by name or index, e.g. 0,3,5 (count split evenly) or Dress=100,Coat=50.")
    String classes;

    @Option(names = "--s-churn", paramLabel = "X", description = "edm-churn: S_churn (default 100).")
    Double sChurn;

    @Option(names = "--s-min", paramLabel = "X", description = "edm-churn: S_min (default 0.05).")
    Double sMin;

    @Option(names = "--s-max", paramLabel = "X", description = "edm-churn: S_max (default 50).")
    Double sMax;

    @Option(names = "--s-noise", paramLabel = "X", description = "edm-churn: S_noise (default 1).")
    Double sNoise;

    @Option(names = "--sigma-min", defaultValue = "" + NoiseGrid.JOB_SIGMA_MIN, description = "Smallest noise level"
            + " (default: ${DEFAULT-VALUE}, as the demo; EDM's 0.002 suits denoisers trained at GPU scale).")
    double sigmaMin;

    @Option(names = "--sigma-max", defaultValue = "80", description = "Starting noise level (default: ${DEFAULT-VALUE}).")
    double sigmaMax;

    @Option(names = "--rho", defaultValue = "7", description = "Grid warp exponent (default: ${DEFAULT-VALUE}).")
    double rho;

    @Option(names = "--seed", defaultValue = "0", description = "Image i uses seed + i (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "256",
            description = "Images per denoiser pass; bounds memory, never changes the images (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--weights", defaultValue = "ema", description = "ema or raw (default: ${DEFAULT-VALUE}).")
    String weights;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (new or empty).")
    Path out;

    @Option(names = "--format", defaultValue = "all", description = "png, idx or all (default: ${DEFAULT-VALUE}).")
    String format;

    @Mixin
    PrecisionOption precision;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (steps < 2) {
            throw new IllegalArgumentException("--steps must be >= 2 (the grid needs sigma_max and sigma_min), got " + steps);
        }
        SampleRequest request = new SampleRequest(source.run != null ? source.run : source.checkpoint, count, classes,
                new SamplerSettings(new NoiseGrid(sigmaMin, sigmaMax, rho, steps), solver(), guidance), seed, batchSize,
                weightSet(), out, formats(), Objects.requireNonNullElse(precision.given(), Precision.AUTO));
        SampleService.Result result;
        ImageProgress progress = new ImageProgress();
        try {
            result = SampleService.run(request, progress::update);
        } finally {
            progress.close();
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("out", result.out().toString());
            m.put("images", result.images());
            m.put("per_class", result.perClass());
            m.put("files", result.files());
            m.put("sampling_seconds", Math.round(result.seconds() * 1000) / 1000.0);
            m.put("precision", result.precision());
            pw.println(new ObjectMapper().writeValueAsString(m));
        } else {
            pw.printf(Locale.ROOT, "wrote %d images to %s in %.1f s: %s%n", result.images(), result.out(),
                    result.seconds(), String.join(", ", result.files()));
            pw.println("  precision: " + result.precision());
            result.perClass().forEach((k, v) -> pw.printf(Locale.ROOT, "  %-20s %d%n", k, v));
        }
        pw.flush();
        return Main.OK;
    }

    private Solver solver() {
        boolean churnOptions = sChurn != null || sMin != null || sMax != null || sNoise != null;
        if (churnOptions && !sampler.equals("edm-churn")) {
            throw new IllegalArgumentException("--s-churn/--s-min/--s-max/--s-noise apply to --sampler edm-churn only");
        }
        return switch (sampler) {
            case "euler" -> new Solver.Euler();
            case "euler-maruyama" -> new Solver.EulerMaruyama();
            case "heun" -> new Solver.Heun();
            // gamma capped at 1, as in the DPDM reference code
            case "edm-churn" -> new Solver.Stochastic(or(sChurn, Solver.Stochastic.DPDM.sChurn()),
                    or(sMin, Solver.Stochastic.DPDM.sMin()), or(sMax, Solver.Stochastic.DPDM.sMax()),
                    or(sNoise, Solver.Stochastic.DPDM.sNoise()), Solver.Stochastic.DPDM_GAMMA_MAX);
            default -> throw new IllegalArgumentException(
                    "--sampler must be euler, euler-maruyama, heun or edm-churn, got '" + sampler + "'");
        };
    }

    private WeightSet weightSet() {
        return switch (weights) {
            case "ema" -> WeightSet.EMA;
            case "raw" -> WeightSet.RAW;
            default -> throw new IllegalArgumentException("--weights must be ema or raw, got '" + weights + "'");
        };
    }

    private Set<OutputFormat> formats() {
        return switch (format) {
            case "png" -> EnumSet.of(OutputFormat.PNG);
            case "idx" -> EnumSet.of(OutputFormat.IDX);
            case "all" -> EnumSet.allOf(OutputFormat.class);
            default -> throw new IllegalArgumentException("--format must be png, idx or all, got '" + format + "'");
        };
    }

    /** A progress bar over images on stderr, opened at the first update so early errors print one line. */
    private static final class ImageProgress {
        private ProgressBar bar;

        void update(long done, long total) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName("sampling").setUnit(" images", 1).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                        .build();
            }
            bar.stepTo(done);
        }

        void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    private static double or(Double value, double fallback) {
        return value == null ? fallback : value;
    }
}
