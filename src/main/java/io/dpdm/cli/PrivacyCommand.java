package io.dpdm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import io.dpdm.privacy.Accountant;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.NoiseCalibration;
import io.dpdm.privacy.PrivacyResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpdm privacy epsilon|noise}: the epsilon a DP-SGD schedule spends, or the noise it needs.
 * The schedule is (--sample-rate, --steps) or (--dataset-size, --batch-size, --epochs), with q =
 * B/N and steps = ceil(E N / B). Only parses and formats; the numbers come from io.dpdm.privacy.
 */
@Command(name = "privacy", mixinStandardHelpOptions = true,
        description = "Privacy accounting for DP-SGD (Poisson sampling, Gaussian noise).",
        subcommands = {PrivacyCommand.Epsilon.class, PrivacyCommand.Noise.class})
public final class PrivacyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: epsilon or noise");
    }

    /** How many steps at which sampling rate: given directly or derived from data set and batch size. */
    static final class Schedule {
        @Option(names = "--sample-rate", paramLabel = "Q", description = "Poisson sampling probability q.")
        Double sampleRate;
        @Option(names = "--steps", paramLabel = "T", description = "Number of steps.")
        Long steps;
        @Option(names = "--dataset-size", paramLabel = "N", description = "Training set size (instead of Q, T).")
        Long datasetSize;
        @Option(names = "--batch-size", paramLabel = "B", description = "Expected batch size: q = B/N.")
        Long batchSize;
        @Option(names = "--epochs", paramLabel = "E", description = "Epochs: T = ceil(E N / B).")
        Double epochs;

        double q() {
            if (sampleRate != null) {
                if (datasetSize != null || batchSize != null) {
                    throw new IllegalArgumentException("give either --sample-rate or --dataset-size/--batch-size, not both");
                }
                return sampleRate;
            }
            if (datasetSize == null || batchSize == null) {
                throw new IllegalArgumentException("missing --sample-rate (or --dataset-size with --batch-size)");
            }
            if (datasetSize < 1 || batchSize < 1 || batchSize > datasetSize) {
                throw new IllegalArgumentException("--batch-size=" + batchSize + " and --dataset-size=" + datasetSize
                        + " must satisfy 1 <= B <= N");
            }
            return (double) batchSize / datasetSize;
        }

        long steps() {
            if (steps != null) {
                if (epochs != null) {
                    throw new IllegalArgumentException("give either --steps or --epochs, not both");
                }
                return steps;
            }
            if (epochs == null || datasetSize == null || batchSize == null) {
                throw new IllegalArgumentException("missing --steps (or --epochs with --dataset-size and --batch-size)");
            }
            if (!(epochs > 0)) {
                throw new IllegalArgumentException("--epochs=" + epochs + " must be > 0");
            }
            return (long) Math.ceil(epochs * datasetSize / batchSize);
        }
    }

    /** Options every privacy question shares. */
    static final class Common {
        @Option(names = "--delta", required = true, paramLabel = "D", description = "Target delta in (0, 1).")
        double delta;
        @Option(names = "--accountant", defaultValue = Accountants.DEFAULT, paramLabel = "prv|rdp",
                description = "prv (default, tightest) or rdp.")
        String accountant;
        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;
        @Option(names = "--plot", paramLabel = "FILE.png", description = "Also plot epsilon against steps.")
        Path plot;

        void check(double q, long steps) {
            if (!(q > 0 && q <= 1)) {
                throw new IllegalArgumentException("sample rate q=" + q + " must be in (0, 1]");
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps=" + steps + " must be >= 1");
            }
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("delta=" + delta + " must be in (0, 1)");
            }
        }
    }

    @Command(name = "epsilon", mixinStandardHelpOptions = true,
            description = "Epsilon spent by T steps at sampling rate Q and noise multiplier S.")
    static final class Epsilon implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Schedule schedule;
        @Mixin
        Common common;
        @Option(names = "--noise-multiplier", required = true, paramLabel = "S", description = "Noise multiplier sigma.")
        double sigma;

        @Override
        public Integer call() {
            double q = schedule.q();
            long steps = schedule.steps();
            common.check(q, steps);
            if (!(sigma > 0)) {
                throw new IllegalArgumentException("noise multiplier=" + sigma + " must be > 0");
            }
            Accountant accountant = Accountants.byName(common.accountant);
            PrivacyResult r = accountant.epsilon(q, sigma, steps, common.delta);
            Map<String, Object> out = describe(r, q, sigma, steps);
            String text = String.format(Locale.ROOT, "epsilon %.4f at delta %s (%s%s; q %s, noise multiplier %s, steps %d)",
                    r.epsilon(), num(common.delta), r.accountant(), orderText(r), num(q), num(sigma), steps);
            print(spec, common, out, text, r);
            plot(common, accountant, q, sigma, steps);
            return Main.OK;
        }
    }

    @Command(name = "noise", mixinStandardHelpOptions = true,
            description = "Noise multiplier needed for a target (epsilon, delta) over T steps at sampling rate Q.")
    static final class Noise implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Schedule schedule;
        @Mixin
        Common common;
        @Option(names = "--epsilon", required = true, paramLabel = "E", description = "Target epsilon.")
        double epsilon;

        @Override
        public Integer call() {
            double q = schedule.q();
            long steps = schedule.steps();
            common.check(q, steps);
            Accountant accountant = Accountants.byName(common.accountant);
            double sigma = NoiseCalibration.noiseMultiplier(accountant, epsilon, common.delta, q, steps);
            PrivacyResult r = accountant.epsilon(q, sigma, steps, common.delta);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("noise_multiplier", sigma);
            out.put("target_epsilon", epsilon);
            out.putAll(describe(r, q, sigma, steps));
            String text = String.format(Locale.ROOT,
                    "noise multiplier %.4f for epsilon %s at delta %s (%s: achieved epsilon %.4f%s; q %s, steps %d)",
                    sigma, num(epsilon), num(common.delta), r.accountant(), r.epsilon(), orderText(r), num(q), steps);
            print(spec, common, out, text, r);
            plot(common, accountant, q, sigma, steps);
            return Main.OK;
        }
    }

    private static Map<String, Object> describe(PrivacyResult r, double q, double sigma, long steps) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epsilon", r.epsilon());
        out.put("delta", r.delta());
        out.put("accountant", r.accountant());
        if (!Double.isNaN(r.optimalOrder())) {
            out.put("optimal_order", r.optimalOrder());
        }
        out.put("sample_rate", q);
        out.put("noise_multiplier", sigma);
        out.put("steps", steps);
        if (!r.note().isEmpty()) {
            out.put("note", r.note());
        }
        return out;
    }

    private static String orderText(PrivacyResult r) {
        return Double.isNaN(r.optimalOrder()) ? "" : ", optimal order " + num(r.optimalOrder());
    }

    /** Shortest plain decimal form of a double (1e-05 -> 0.00001, 2.0 -> 2). */
    private static String num(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toString();
    }

    private static void print(CommandSpec spec, Common common, Map<String, Object> json, String text, PrivacyResult r) {
        PrintWriter out = spec.commandLine().getOut();
        if (common.json) {
            try {
                out.println(new ObjectMapper().writeValueAsString(json));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.println(text);
            if (!r.note().isEmpty()) {
                out.println("note: " + r.note());
            }
        }
        out.flush();
    }

    /** Epsilon after 1..T steps at a few points (fewer for PRV, which costs more per point). */
    private static void plot(Common common, Accountant accountant, double q, double sigma, long steps) {
        if (common.plot == null) {
            return;
        }
        int points = (int) Math.min(steps, "rdp".equals(accountant.name()) ? 60 : 20);
        double[] xs = new double[points];
        double[] ys = new double[points];
        for (int k = 0; k < points; k++) {
            long t = Math.max(1, Math.round((double) (k + 1) * steps / points));
            xs[k] = t;
            ys[k] = accountant.epsilon(q, sigma, t, common.delta).epsilon();
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500)
                .title(String.format(Locale.ROOT, "q = %s, noise multiplier = %.4f, delta = %s", num(q), sigma, num(common.delta)))
                .xAxisTitle("steps").yAxisTitle("epsilon (" + accountant.name() + ")").build();
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("epsilon", xs, ys);
        try (OutputStream os = Files.newOutputStream(common.plot)) {
            BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new DpdmException("cannot write plot " + common.plot + ": " + e.getMessage(), e);
        }
    }
}
