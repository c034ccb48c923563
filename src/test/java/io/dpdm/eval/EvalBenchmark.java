package io.dpdm.eval;

import java.util.Random;

/**
 * Prints timings of the evaluation kernels (not a test). Run after test-compile:
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.dpdm.eval.EvalBenchmark [frechet|nn] [args]
 * frechet d...: statistics of 10,000 x d features and the distance, per d.
 * nn m n d: nearest neighbours of m random points among n, dimension d.
 */
public final class EvalBenchmark {
    private EvalBenchmark() {}

    public static void main(String[] args) {
        Random rnd = new Random(1);
        if (args[0].equals("frechet")) {
            for (int a = 1; a < args.length; a++) {
                int d = Integer.parseInt(args[a]);
                float[] x = random(rnd, 10_000 * d);
                float[] y = random(rnd, 10_000 * d);
                long c0 = cpu();
                long t0 = System.nanoTime();
                GaussianStats sx = new GaussianStats.Accumulator(d).addRows(x).build();
                GaussianStats sy = new GaussianStats.Accumulator(d).addRows(y).build();
                long t1 = System.nanoTime();
                long c1 = cpu();
                double f = FrechetDistance.between(sx, sy);
                long t2 = System.nanoTime();
                long c2 = cpu();
                System.out.printf("d=%d: stats of 2 x 10000 rows %.3f s wall (%.3f s cpu), distance %.3f s wall"
                        + " (%.3f s cpu) (value %.6g)%n", d, (t1 - t0) / 1e9, (c1 - c0) / 1e9, (t2 - t1) / 1e9,
                        (c2 - c1) / 1e9, f);
            }
        } else {
            int m = Integer.parseInt(args[1]);
            int n = Integer.parseInt(args[2]);
            int d = Integer.parseInt(args[3]);
            RowMatrix q = new RowMatrix(random(rnd, m * d), m, d);
            RowMatrix r = new RowMatrix(random(rnd, n * d), n, d);
            NearestNeighbours.search(new RowMatrix(random(rnd, 8 * d), 8, d), r); // engine start
            long c0 = cpu();
            long t0 = System.nanoTime();
            NearestNeighbours.search(q, r);
            long t1 = System.nanoTime();
            System.out.printf("nn %d x %d x %d: %.2f s wall, %.2f s cpu (all threads)%n", m, n, d, (t1 - t0) / 1e9,
                    (cpu() - c0) / 1e9);
        }
    }

    /** CPU time of the whole process (all threads, including native ones), in ns. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }
}
