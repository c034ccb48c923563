package io.dpdm.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import io.dpdm.classify.Classifier;
import io.dpdm.classify.ClassifierKind;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageSplit;
import io.dpdm.data.LoadOptions;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.diffusion.Preconditioned;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNet;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Adam;
import io.dpdm.dp.Clipping;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.DpSgd;
import io.dpdm.dp.DpSgdConfig;
import io.dpdm.dp.Ema;
import io.dpdm.dp.ExampleRandomness;
import io.dpdm.dp.GradientSource;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.CpuInfo;
import io.dpdm.nn.FlopCount;
import io.dpdm.nn.Lanes;
import io.dpdm.nn.OpProfile;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.PerExampleGradients;
import io.dpdm.nn.Torch;
import io.dpdm.nn.Weights;
import io.dpdm.privacy.PrivacyLedger;
import io.dpdm.train.PassSize;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpdm bench dp-step}: the cost of privacy per training step. On a fixed batch of B
 * Fashion-MNIST training images (K draws each) it times, after warm-up (at least 2 rounds and
 * 15 s), in alternating rounds (at least 5 and 20 s unless {@code --reps} is given):
 *
 * <ul>
 *   <li>the private step: one {@link DpSgd} step with N = B and q = 1 (so the Poisson batch is
 *       exactly the B examples) in physical passes of M examples ({@code --micro-batch}, default
 *       B for the CNN, training's {@link PassSize} for the U-Nets): per-example gradients
 *       (factored for the CNN, expanded weights for the U-Net, or {@code --method}), flat
 *       clipping, summing, noise, Adam and EMA;
 *   <li>the non-private step: the ordinary batch gradient of the same loss in the same passes
 *       (summed, as training's non-private step does), Adam and EMA;
 *   <li>both in {@link Lanes}, as training runs them: each pass as concurrent parts;
 *   <li>the per-example gradients alone (same passes), so the clip + noise + update share can be
 *       told apart.
 * </ul>
 *
 * Loss: the CNN classifier's cross-entropy (K = 1, dropout on), or DPDM's denoising loss for the
 * U-Nets (EDM, K noise draws per example, label dropout 0.1). With {@code --leak-steps N}
 * it instead runs N private steps and reports the resident memory at step 50 and step N. With
 * {@code --profile DIR} it then runs one more private and one more plain step under PyTorch's
 * profiler ({@link OpProfile}) and names the operators that take the most time.
 */
@Command(name = "dp-step", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time a DP-SGD step against the non-private step on the same batch.")
final class DpStepBenchCommand implements Callable<Integer> {
    private static final int WARMUP = 2;
    /**
     * Warm-up lasts at least this long: training runs thousands of steps in one JVM, so the
     * benchmark measures the JIT-compiled steady state of the Java side (noise, clipping
     * arithmetic), which a 40 ms CNN step does not reach in two rounds.
     */
    private static final long WARMUP_SECONDS = 15;
    /** Without --reps, timing runs at least this many rounds and this long (the machines are noisy). */
    private static final int MIN_REPS = 5;
    private static final long TIMED_SECONDS = 20;
    private static final int LEAK_PROBE_STEP = 50;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "cnn|unet28|unet-cpu",
            description = "Network and loss: the CNN classifier, DPDM's 28x28 U-Net, or the U-Net of the cpu and"
                    + " quick presets for 28x28 grey images (patch-2).")
    String model;

    @Option(names = "--base-channels", paramLabel = "NF",
            description = "U-Net base channels instead of the model's own (nf 32 for unet28, 16 for unet-cpu).")
    Integer baseChannels;

    @Option(names = "--examples", required = true, paramLabel = "B", description = "Examples per batch.")
    int examples;

    @Option(names = "--draws", paramLabel = "K", description = "Noise draws per example (default: ${DEFAULT-VALUE}).")
    int draws = 1;

    @Option(names = "--micro-batch", paramLabel = "M",
            description = "Examples per physical pass of both steps (default: B for the cnn; for the U-Nets what"
                    + " training chooses, e.g. 2 for unet28 at K 32). Memory follows the rows of a pass (M*K).")
    Integer microBatch;

    @Option(names = "--method", paramLabel = "expanded|factored",
            description = "Per-example gradient method (default: what training uses: factored for the cnn,"
                    + " expanded weights for the U-Nets).")
    String method;

    @Option(names = "--reps", paramLabel = "R",
            description = "Timed repetitions of each step (default: at least 5 and at least 20 s of timing).")
    Integer reps;

    @Option(names = "--leak-steps", paramLabel = "N",
            description = "Instead of timing, run N private steps and report resident memory at step 50 and N"
                    + " (default: time the step).")
    int leakSteps;

    @Option(names = "--profile", paramLabel = "DIR",
            description = "After timing, run one private and one plain step under PyTorch's profiler: Chrome traces"
                    + " dp-step.json and plain-step.json in DIR, and the operators of most self time in the output."
                    + " Needs one PyTorch thread (-Dai.djl.pytorch.num_threads=1).")
    Path profile;

    @Mixin
    PrecisionOption precision;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** A network, its parameters and its per-example loss on given examples of the fixed batch. */
    private record Workload(ParameterStore store, AutoCloseable owner,
            BiFunction<int[], BatchRandomness, Function<Weights, NDArray>> loss) {}

    @Override
    public Integer call() throws Exception {
        if (examples < 1 || draws < 1 || (reps != null && reps < 1) || leakSteps < 0) {
            throw new IllegalArgumentException("--examples, --draws and --reps must be >= 1 and --leak-steps >= 0, got "
                    + examples + ", " + draws + ", " + reps + ", " + leakSteps);
        }
        int passSize = passSize();
        if (passSize < 1 || passSize > examples) {
            throw new IllegalArgumentException("--micro-batch must be in [1, " + examples + "], got " + passSize);
        }
        if (leakSteps > 0 && leakSteps < LEAK_PROBE_STEP) {
            throw new IllegalArgumentException("--leak-steps must be >= " + LEAK_PROBE_STEP + ", got " + leakSteps);
        }
        if (!List.of("cnn", "unet28", "unet-cpu").contains(model)) {
            throw new IllegalArgumentException("--model must be cnn, unet28 or unet-cpu, got '" + model + "'");
        }
        if (baseChannels != null && model.equals("cnn")) {
            throw new IllegalArgumentException("--base-channels applies to the U-Nets, not the cnn");
        }
        if (model.equals("cnn") && draws != 1) {
            throw new IllegalArgumentException("--draws must be 1 for the cnn (one loss per example), got " + draws);
        }
        if (profile != null) {
            OpProfile.requireOneThread();
        }
        boolean factored = factored();
        ImageSplit train = Datasets.open("fashion-mnist", LoadOptions.defaults()).train();
        if (train.size() < examples) {
            throw new IllegalArgumentException("--examples " + examples + " exceeds the " + train.size() + " images");
        }
        int[] batch = new int[examples];
        Arrays.setAll(batch, i -> i);
        Workload work = workload(train);
        try (AutoCloseable owner = work.owner()) {
            Map<String, NDArray> params = work.store().asMap();
            DpRandom random = DpRandom.newRunSecret();
            DpSgd dp = new DpSgd(new DpSgdConfig(examples, 1.0, 1.0, 1.0, Clipping.FLAT, passSize), params,
                    new Adam(params, 3e-4), new Ema(params, 0.999), random, new PrivacyLedger()::append);
            Adam adam = new Adam(params, 3e-4);
            Ema ema = new Ema(params, 0.999);
            // Per-example randomness exactly as training draws it, in both the private and the plain step.
            GradientSource source = (indices, randomness, m) -> {
                BatchRandomness r = randomness.batch(train.recordIds(indices), draws);
                return factored
                        ? Gradients.factored(m, work.store(), indices.length, draws, r, work.loss().apply(indices, r))
                        : PerExampleGradients.of(Gradients.perExample(m, work.store(), indices.length, draws, r,
                                work.loss().apply(indices, r)));
            };
            Runnable dpStep = () -> dp.step(source);
            Runnable perExampleOnly = () -> inStep(work.store(), m -> {
                ExampleRandomness randomness = random.examples(0);
                for (int[] pass : Lanes.passes(batch, passSize)) {
                    Lanes.all(Arrays.stream(Lanes.split(pass))
                            .<Supplier<PerExampleGradients>>map(part -> () -> source.perExample(part, randomness, m))
                            .toList());
                }
                return null;
            });
            // The plain step runs in the private step's passes and lanes, as training's non-private
            // step does, each pass's arrays freed before the next.
            Runnable plainStep = () -> inStep(work.store(), m -> {
                ExampleRandomness randomness = random.examples(0);
                Map<String, NDArray> sum = new LinkedHashMap<>();
                params.forEach((name, p) -> sum.put(name, m.zeros(p.getShape(), p.getDataType())));
                Lanes.addInPasses(sum, batch, passSize, (part, passManager) -> {
                    BatchRandomness r = randomness.batch(train.recordIds(part), draws);
                    return Gradients.batch(passManager, work.store(), part.length, draws, r, work.loss().apply(part, r));
                });
                adam.update(sum);
                ema.update();
                return null;
            });
            String chosen = precision.get().resolve(work.store(), perExampleOnly).describe(precision.get());
            Map<String, Object> out = leakSteps > 0 ? leakCheck(dpStep)
                    : timing(dpStep, plainStep, perExampleOnly, forwardFlopsPerDraw(work, train, random));
            out.put("precision", chosen);
            if (profile != null) {
                int top = BenchCommand.PROFILED_OPERATORS;
                out.put("profile_dp_step", OpProfile.record(dpStep, profile.resolve("dp-step.json")).figures(top));
                out.put("profile_plain_step", OpProfile.record(plainStep, profile.resolve("plain-step.json")).figures(top));
            }
            print(out);
        }
        return Main.OK;
    }

    /** Analytic FLOPs of one draw's forward pass (the loss on the batch's first example). */
    private double forwardFlopsPerDraw(Workload work, ImageSplit train, DpRandom random) {
        int[] first = {0};
        BatchRandomness r = random.examples(0).batch(train.recordIds(first), draws);
        long flops = FlopCount.of(() -> inStep(work.store(), m -> Gradients.forward(m, work.store(), 1, draws,
                work.loss().apply(first, r))));
        return (double) flops / draws;
    }

    /** The per-example method: --method, or the one training uses for the model. */
    private boolean factored() {
        String m = method != null ? method : model.equals("cnn") ? "factored" : "expanded";
        return switch (m) {
            case "factored" -> true;
            case "expanded" -> false;
            default -> throw new IllegalArgumentException("--method must be expanded or factored, got '" + m + "'");
        };
    }

    /** Examples per physical pass of both steps: --micro-batch, else what training would choose. */
    private int passSize() {
        if (microBatch != null) {
            return microBatch;
        }
        return model.equals("cnn") ? examples
                : PassSize.examples(BenchNetworks.unet(model, baseChannels), draws, examples);
    }

    private Workload workload(ImageSplit train) {
        if (model.equals("cnn")) {
            Classifier c = Classifier.create(ClassifierKind.CNN, train.shape(), 10, 0);
            return new Workload(c.parameters(), c, (indices, r) -> w ->
                    c.loss(w, train.images(w.manager(), indices), train.labels(w.manager(), indices)));
        }
        UNetConfig network = BenchNetworks.unet(model, baseChannels);
        ParameterStore store = new ParameterStore(0);
        Preconditioning.Edm edm = new Preconditioning.Edm();
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(UNet.create(store, network), edm),
                edm.defaultNoise(), draws, 10, 0.1, Augmentation.NONE);
        return new Workload(store, store, (indices, r) -> w -> loss.perExample(w,
                train.images(w.manager(), indices), Arrays.stream(indices).map(train::label).toArray(), r));
    }


    /** Runs one step's work in a scope and manager that die with it (as DpSgd does). */
    private static void inStep(ParameterStore store, Function<NDManager, Object> work) {
        try (NDScope scope = new NDScope();
                NDManager m = store.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            work.apply(m);
        }
    }

    /**
     * @param forwardFlops analytic FLOPs of one draw's forward pass; a training step does about
     *     three times that per draw (the forward, and the backward's input and weight gradients)
     */
    private Map<String, Object> timing(Runnable dpStep, Runnable plainStep, Runnable perExampleOnly,
            double forwardFlops) {
        long warmupEnd = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L;
        for (int i = 0; i < WARMUP || System.nanoTime() < warmupEnd; i++) {
            dpStep.run();
            plainStep.run();
            perExampleOnly.run();
        }
        ProcessCpu cpuBefore = ProcessCpu.now();
        List<Double> dp = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        List<Double> perExample = new ArrayList<>();
        long timedEnd = System.nanoTime() + TIMED_SECONDS * 1_000_000_000L;
        while (reps != null ? dp.size() < reps : dp.size() < MIN_REPS || System.nanoTime() < timedEnd) {
            dp.add(seconds(dpStep));
            plain.add(seconds(plainStep));
            perExample.add(seconds(perExampleOnly));
        }
        double dpSeconds = median(dp);
        double plainSeconds = median(plain);
        Map<String, Object> out = header();
        out.put("reps", dp.size());
        out.put("dp_seconds", round(dpSeconds));
        out.put("nondp_seconds", round(plainSeconds));
        out.put("ratio", round(dpSeconds / plainSeconds));
        out.put("draws_per_second", round((double) examples * draws / dpSeconds));
        double stepFlops = 3 * forwardFlops * examples * draws;
        out.put("forward_mflop_per_draw", round(forwardFlops / 1e6));
        out.put("dp_gflop_per_second", round(stepFlops / dpSeconds / 1e9));
        out.put("nondp_gflop_per_second", round(stepFlops / plainSeconds / 1e9));
        out.put("per_example_gradient_seconds", round(median(perExample)));
        out.put("clip_noise_update_seconds", round(dpSeconds - median(perExample)));
        out.put("sys_per_user_cpu", ProcessCpu.now().systemPerUserSince(cpuBefore));
        out.put("peak_rss_mb", memoryMb("VmHWM"));
        out.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return out;
    }

    /**
     * Resident memory at step 50 and at the last step. The JVM heap's committed size is reported
     * alongside: the heap may legitimately grow (Java-side noise and image buffers) up to -Xmx,
     * so RSS growth that the heap does not explain points at native (tensor) memory.
     */
    private Map<String, Object> leakCheck(Runnable dpStep) {
        long start = System.nanoTime();
        Map<String, Object> out = header();
        out.put("leak_steps", leakSteps);
        for (int step = 1; step <= leakSteps; step++) {
            dpStep.run();
            if (step == LEAK_PROBE_STEP || step == leakSteps) {
                out.put("rss_mb_at_step_" + step, memoryMb("VmRSS"));
                out.put("java_heap_committed_mb_at_step_" + step,
                        Math.round(Runtime.getRuntime().totalMemory() / 1048576.0 * 10) / 10.0);
            }
        }
        out.put("mean_step_seconds", round((System.nanoTime() - start) / 1e9 / leakSteps));
        out.put("peak_rss_mb", memoryMb("VmHWM"));
        out.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return out;
    }

    private Map<String, Object> header() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        if (baseChannels != null) {
            out.put("base_channels", baseChannels);
        }
        out.put("examples", examples);
        out.put("draws", draws);
        out.put("method", factored() ? "factored" : "expanded");
        out.put("micro_batch", passSize());
        CpuInfo.addTo(out);
        return out;
    }

    private static double seconds(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double round(double x) {
        return Math.round(x * 10000) / 10000.0;
    }

    /** A memory line of /proc/self/status (Linux), in MB. */
    static double memoryMb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 * 10) / 10.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new DpdmException("cannot read " + key + " from /proc/self/status: " + e.getMessage());
        }
        throw new DpdmException("/proc/self/status has no " + key + " line (memory figures need Linux)");
    }

    private void print(Map<String, Object> r) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            out.printf(Locale.ROOT, "dp-step benchmark: %s, B=%d, K=%d%n", model, examples, draws);
            BenchCommand.printFigures(out, r, "  ");
        }
        out.flush();
    }
}
