package io.dpdm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.nn.Timing;
import io.dpdm.privacy.NoiseCalibration;
import io.dpdm.privacy.PrvAccountant;
import io.dpdm.privacy.RdpAccountant;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpdm bench accountant}: times the accountants on a DP-SGD run of 4,500 steps (q = 0.04,
 * sigma = 1.5, delta = 1e-5): RDP epsilon, PRV epsilon (eps_error 0.01) and PRV noise
 * calibration (target eps 8). Each is warmed up, then repeated; medians of wall and CPU time.
 */
@Command(name = "accountant", mixinStandardHelpOptions = true, description = "Time the privacy accountants.")
final class AccountantBenchCommand implements Callable<Integer> {
    private static final double Q = 0.04;
    private static final double SIGMA = 1.5;
    private static final long STEPS = 4500;
    private static final double DELTA = 1e-5;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RdpAccountant rdp = new RdpAccountant();
        PrvAccountant prv = new PrvAccountant();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("rdp_epsilon_4500_steps", time(20, 41, () -> rdp.epsilon(Q, SIGMA, STEPS, DELTA).epsilon()));
        results.put("prv_epsilon_4500_steps", time(3, 9, () -> prv.epsilon(Q, SIGMA, STEPS, DELTA).epsilon()));
        results.put("prv_noise_calibration_4500_steps",
                time(1, 3, () -> NoiseCalibration.noiseMultiplier(prv, 8, DELTA, Q, STEPS)));
        results.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        results.put("processors", Runtime.getRuntime().availableProcessors());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(results));
        } else {
            out.printf(Locale.ROOT, "accountant benchmark: q=%s sigma=%s steps=%d delta=%s%n", Q, SIGMA, STEPS, DELTA);
            BenchCommand.printFigures(out, results, "  ");
        }
        out.flush();
        return Main.OK;
    }

    /** Median wall and CPU milliseconds over `repeats` runs after `warmups`; also the value computed. */
    private static Map<String, Object> time(int warmups, int repeats, DoubleSupplier task) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double value = 0;
        for (int i = 0; i < warmups; i++) {
            value = task.getAsDouble();
        }
        double[] wall = new double[repeats];
        double[] cpu = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            value = task.getAsDouble();
            wall[i] = (System.nanoTime() - w0) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_wall_ms", round(Timing.median(wall)));
        m.put("median_cpu_ms", round(Timing.median(cpu)));
        m.put("repeats", repeats);
        m.put("value", value);
        return m;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
