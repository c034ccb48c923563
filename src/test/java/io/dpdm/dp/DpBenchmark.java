package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Torch;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Prints timings of the DP-SGD randomness and noise step (not a test). Run after test-compile:
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.dpdm.dp.DpBenchmark [values] [N]
 * Defaults: 1,753,345 Gaussians (the DPDM 28x28 model's parameter count), N = 60,000.
 */
public final class DpBenchmark {
    private static final int REPEATS = 30;

    private DpBenchmark() {}

    public static void main(String[] args) {
        int values = args.length > 0 ? Integer.parseInt(args[0]) : 1_753_345;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 60_000;
        float[] z = new float[values];
        DpRandom seeded = DpRandom.publicSeed(1);
        DpRandom secure = DpRandom.fresh();
        report(values + " Gaussians, seeded", t -> seeded.stream(DpRandom.Purpose.NOISE, t).fillGaussian(z, 1));
        report(values + " Gaussians, secure", t -> secure.stream(DpRandom.Purpose.NOISE, t).fillGaussian(z, 1));
        PoissonSampler sampler = new PoissonSampler(n, 1 / 15.0);
        report("Poisson sampling N=" + n + " q=1/15, seeded", t -> sampler.sample(seeded, t));
        report("Poisson sampling N=" + n + " q=1/15, secure", t -> sampler.sample(secure, t));

        Torch.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Shape> shapes = Map.of("all", new Shape(values));
            Clipper clipper = new Clipper(Clipping.FLAT, 1);
            report("release of " + values + " parameters (noise + float32 add + divide), seeded", t -> {
                try (NDManager step = m.newSubManager()) {
                    PrivateGradient g = new PrivateGradient(shapes, clipper, step);
                    Map<String, NDArray> out = g.release(g.noise(seeded.stream(DpRandom.Purpose.NOISE, t), 1.0), 4000);
                    out.get("all").toFloatArray();
                }
            });
        }
    }

    /** Wall and thread-CPU time: on a loaded machine the CPU time is the fairer figure. */
    private static void report(String what, LongConsumer work) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] ms = new double[REPEATS];
        double[] cpu = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            work.accept(r);
            ms[r] = (System.nanoTime() - t0) / 1e6;
            cpu[r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        double first = ms[0];
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.printf("%s: wall first %.1f ms, median %.1f ms, min %.1f ms; thread CPU median %.1f ms,"
                + " min %.1f ms (%d runs)%n", what, first, ms[REPEATS / 2], ms[0], cpu[REPEATS / 2], cpu[0], REPEATS);
    }
}
