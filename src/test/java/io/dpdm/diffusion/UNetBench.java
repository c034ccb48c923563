package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Benchmark of the full-size DPDM 28x28 U-Net (10 classes) with the EDM denoising loss: per-example
 * gradients (expanded weights) versus the ordinary batch gradient at (B, K), and forward-only
 * denoiser throughput (sampling). Prints wall-clock medians over {@code reps} runs after one
 * warm-up, the process CPU seconds of the same runs (a fairer figure on a shared machine) and the
 * peak resident memory. A shape "BxK/P" runs each step as P passes of K/P draws (exact; bounds
 * memory). Run from the worktree:
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * DJL_OFFLINE=true java -Dai.djl.pytorch.num_threads=2 \
 *     -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     io.dpdm.diffusion.UNetBench [reps [BxK[/P],... [forwardRows]]]     (default 5 16x32,64x4 256)
 * </pre>
 */
public final class UNetBench {
    private UNetBench() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String[] shapes = args.length > 1 ? (args[1].isEmpty() ? new String[0] : args[1].split(",")) : new String[] {"16x32", "64x4"};
        int forwardRows = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        UNetConfig config = UNetConfig.dpdm28(10);
        try (ParameterStore store = new ParameterStore(0); NDManager m = Torch.engine().newBaseManager()) {
            Preconditioned model = new Preconditioned(UNet.create(store, config), new Preconditioning.Edm());
            System.out.printf("dpdm28(10): %d parameters, threads %s%n", store.count(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));
            for (String bk : shapes) {
                String[] parts = bk.split("[x/]");
                gradients(m, store, model, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                        parts.length > 2 ? Integer.parseInt(parts[2]) : 1, reps);
            }
            if (forwardRows > 0) {
                sampling(m, store, model, forwardRows, reps);
            }
        }
    }

    /**
     * One step's gradients at (B, K). With {@code chunks} > 1 the K draws are processed in that many
     * passes of K/chunks draws whose gradients are averaged: exact, since an example's loss is the
     * mean over its draws, and it bounds memory (a pass keeps every saved activation of its rows).
     */
    private static void gradients(NDManager m, ParameterStore store, Preconditioned model, int b, int k, int chunks,
            int reps) {
        if (k % chunks != 0) {
            throw new IllegalArgumentException("K " + k + " is not divisible into " + chunks + " chunks");
        }
        int kc = k / chunks;
        DenoisingLoss loss = new DenoisingLoss(model, model.preconditioning().defaultNoise(), kc, 10, 0.1,
                io.dpdm.diffusion.Augmentation.NONE);
        SplittableRandom data = new SplittableRandom(1);
        NDArray x0 = m.randomUniform(-1, 1, new Shape(b, 1, 28, 28));
        int[] labels = data.ints(b, 0, 10).toArray();
        Timing perExample = median(reps, () -> step(m, chunks, (c, i) -> Gradients.perExample(c, store, b, kc,
                BatchRandomness.seeded(i, b, kc), w -> loss.perExample(w, x0, labels, w.randomness()))));
        Timing batch = median(reps, () -> step(m, chunks, (c, i) -> Gradients.batch(c, store, b, kc,
                BatchRandomness.seeded(i, b, kc), w -> loss.perExample(w, x0, labels, w.randomness()))));
        System.out.printf("B=%d K=%d (%d pass(es)): per-example %.3f s, batch %.3f s, ratio %.2f, per-example draws/s %.1f,"
                + " batch draws/s %.1f; CPU s per-example %.2f batch %.2f; peak RSS %s%n", b, k, chunks, perExample.wall(),
                batch.wall(), perExample.wall() / batch.wall(), b * k / perExample.wall(), b * k / batch.wall(),
                perExample.cpu(), batch.cpu(), peakMemory());
    }

    /**
     * Runs {@code chunks} gradient passes (pass i draws its noise from seed i) and accumulates their
     * mean into the step's arrays.
     */
    private static void step(NDManager m, int chunks,
            java.util.function.BiFunction<NDManager, Integer, java.util.Map<String, NDArray>> pass) {
        try (NDManager step = m.newSubManager()) {
            java.util.Map<String, NDArray> sum = pass.apply(step, 0);
            for (int c = 1; c < chunks; c++) {
                try (NDManager chunk = step.newSubManager()) {
                    pass.apply(chunk, c).forEach((name, g) -> sum.get(name).addi(g));
                }
            }
            sum.values().forEach(g -> g.divi(chunks));
        }
    }

    private static void sampling(NDManager m, ParameterStore store, Preconditioned model, int rows, int reps) {
        NDArray x = m.randomNormal(new Shape(rows, 1, 28, 28)).mul(5f);
        double[] sigma = new SplittableRandom(3).doubles(rows, 0.002, 80).toArray();
        NDArray labels = m.create(new SplittableRandom(4).ints(rows, 0, 11).toArray());
        Timing seconds = median(reps, () -> {
            try (NDManager step = m.newSubManager()) {
                Gradients.forward(step, store, rows, 1, w -> model.apply(w, x, sigma, labels));
            }
        });
        System.out.printf("forward %d rows: %.3f s, %.1f image-NFE/s; CPU s %.2f; peak RSS %s%n", rows, seconds.wall(),
                rows / seconds.wall(), seconds.cpu(), peakMemory());
    }

    /** The process's peak resident memory (VmHWM), as the kernel reports it. */
    private static String peakMemory() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM")).map(l -> l.substring(6).trim()).findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** Median wall seconds and median process CPU seconds (all threads) of repeated runs. */
    record Timing(double wall, double cpu) {}

    /** Times {@code reps} runs after one warm-up run. */
    static Timing median(int reps, Runnable run) {
        run.run();
        double[] t = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long cpu0 = processCpuNanos();
            long start = System.nanoTime();
            run.run();
            t[i] = (System.nanoTime() - start) / 1e9;
            cpu[i] = (processCpuNanos() - cpu0) / 1e9;
        }
        Arrays.sort(t);
        Arrays.sort(cpu);
        return new Timing(t[reps / 2], cpu[reps / 2]);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
