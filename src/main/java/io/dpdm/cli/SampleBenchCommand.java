package io.dpdm.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNet;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.nn.CpuInfo;
import io.dpdm.nn.OpProfile;
import io.dpdm.nn.Timing;
import io.dpdm.nn.Torch;
import io.dpdm.sample.DenoiserNetwork;
import io.dpdm.sample.NoiseGrid;
import io.dpdm.sample.SampleJob;
import io.dpdm.sample.Sampler;
import io.dpdm.sample.SamplerSettings;
import io.dpdm.sample.SamplingProgress;
import io.dpdm.sample.Solver;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpdm bench sample}: sampling throughput of a randomly initialised U-Net, forward only.
 * One repeat is a whole Euler sampling run of {@code --steps} steps over one batch (one denoiser
 * evaluation per step, through the same {@link Sampler} and {@link DenoiserNetwork} as
 * {@code dpdm sample}); the figure is denoiser evaluations x images per second, median over the
 * repeats after a warm-up run. With {@code --profile DIR} one more repeat runs under PyTorch's
 * profiler ({@link OpProfile}).
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Time U-Net denoiser evaluations for sampling (no gradients).")
final class SampleBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "unet28",
            description = "unet28 (DPDM 28x28 conditional, 1.75M parameters), unet-cpu (the cpu and quick presets'"
                    + " patch-2 network for 28x28 grey images) or celeba32 (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--base-channels", paramLabel = "NF",
            description = "U-Net base channels instead of the model's own (default: the model's).")
    Integer baseChannels;

    @Option(names = "--batch", defaultValue = "256", description = "Images per denoiser pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "3", description = "Euler steps per repeat (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed repeats after one warm-up (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--profile", paramLabel = "DIR",
            description = "After timing, one more repeat under PyTorch's profiler: Chrome trace sample.json in DIR,"
                    + " and the operators of most self time in the output. Needs one PyTorch thread"
                    + " (-Dai.djl.pytorch.num_threads=1).")
    Path profile;

    @Mixin
    PrecisionOption precision;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        UNetConfig config = BenchNetworks.unet(model, baseChannels);
        if (batch < 1 || steps < 2 || repeats < 1) {
            throw new IllegalArgumentException("need --batch >= 1, --steps >= 2, --repeats >= 1, got "
                    + batch + ", " + steps + ", " + repeats);
        }
        if (profile != null) {
            OpProfile.requireOneThread();
        }
        int[] labels = config.conditional() ? new int[batch] : null;
        if (labels != null) {
            Arrays.setAll(labels, i -> i % config.numClasses());
        }
        SampleJob job = new SampleJob(SampleJob.seedRange(0, batch), labels, config.numClasses(), config.channels(),
                config.imageSize(), config.imageSize(), batch);
        SamplerSettings settings = new SamplerSettings(NoiseGrid.edm(steps), new Solver.Euler(), 0);
        double[] seconds = new double[repeats];
        double[] cpuSeconds = new double[repeats];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long parameters;
        String chosen;
        ProcessCpu cpuBefore;
        ProcessCpu cpuAfter;
        Map<String, Object> profiled = null;
        try (DenoiserNetwork network = DenoiserNetwork.create(config, new Preconditioning.Edm(), 1);
                NDManager manager = Torch.engine().newBaseManager()) {
            parameters = network.parameterCount();
            chosen = network.usePrecision(precision.get(), batch).describe(precision.get());
            Sampler sampler = new Sampler(settings, manager);
            sampler.sample(network.denoiser(), job, SamplingProgress.NONE);
            cpuBefore = ProcessCpu.now();
            for (int r = 0; r < repeats; r++) {
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                sampler.sample(network.denoiser(), job, SamplingProgress.NONE);
                seconds[r] = (System.nanoTime() - start) / 1e9;
                cpuSeconds[r] = (os.getProcessCpuTime() - cpu) / 1e9;
            }
            cpuAfter = ProcessCpu.now();
            if (profile != null) {
                profiled = OpProfile.record(() -> sampler.sample(network.denoiser(), job, SamplingProgress.NONE),
                        profile.resolve("sample.json")).figures(BenchCommand.PROFILED_OPERATORS);
            }
        }
        double median = Timing.median(seconds);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("parameters", parameters);
        out.put("batch", batch);
        out.put("steps", steps);
        out.put("precision", chosen);
        out.put("image_nfe_per_second", Math.round(10.0 * steps * batch / median) / 10.0);
        double forwardFlops = UNet.forwardFlops(config);
        out.put("forward_mflop_per_image", Math.round(forwardFlops / 1e5) / 10.0);
        out.put("gflop_per_second", Math.round(forwardFlops * steps * batch / median / 1e8) / 10.0);
        out.put("median_seconds_per_repeat", Math.round(median * 1000) / 1000.0);
        out.put("seconds", seconds);
        // CPU time shows the work itself on a shared machine (wall time includes waiting for a core)
        double medianCpu = Timing.median(cpuSeconds);
        out.put("image_nfe_per_cpu_second", Math.round(10.0 * steps * batch / medianCpu) / 10.0);
        out.put("cpu_seconds", cpuSeconds);
        out.put("sys_per_user_cpu", cpuAfter.systemPerUserSince(cpuBefore));
        out.put("threads", Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
        out.put("processors", Runtime.getRuntime().availableProcessors());
        out.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        CpuInfo.addTo(out);
        if (profiled != null) {
            out.put("profile_repeat", profiled);
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(new ObjectMapper().writeValueAsString(out));
        } else {
            pw.printf(Locale.ROOT, "sampling benchmark (%s, %,d parameters, batch %d, %d Euler steps, no gradients)%n",
                    model, parameters, batch, steps);
            BenchCommand.printFigures(pw, out, "  ");
        }
        pw.flush();
        return Main.OK;
    }
}
