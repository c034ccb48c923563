package io.dpdm.eval;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Dense double-precision kernels for the Frechet distance: a cache-blocked, row-parallel matrix
 * product. Blocks keep a KB x JB panel of B (128 KB) in L2 and IB x JB of C in L1 while every
 * row of the A block streams through them; without blocking, products of 2048 x 2048 matrices
 * are bound by memory traffic (measured ~10x slower here).
 */
final class Dense {
    private static final int IB = 16;
    private static final int JB = 256;
    private static final int KB = 64;
    /** Multiply-adds below which loops stay on one thread (fork/join overhead). */
    private static final long PARALLEL_WORK = 1 << 15;

    private Dense() {}

    /** C += A B for A (m x k), B (k x n), C (m x n); rows of A may be longer than k (extra ignored). */
    static void multiplyAdd(double[][] a, double[][] b, double[][] c) {
        int m = c.length;
        int k = b.length;
        int n = m == 0 ? 0 : c[0].length;
        int blocks = (m + IB - 1) / IB;
        rows(0, blocks, (long) IB * k * n, block -> {
            int i0 = block * IB;
            int i1 = Math.min(m, i0 + IB);
            for (int j0 = 0; j0 < n; j0 += JB) {
                int j1 = Math.min(n, j0 + JB);
                for (int k0 = 0; k0 < k; k0 += KB) {
                    int k1 = Math.min(k, k0 + KB);
                    for (int i = i0; i < i1; i++) {
                        double[] ai = a[i];
                        double[] ci = c[i];
                        for (int q = k0; q < k1; q++) {
                            double aiq = ai[q];
                            if (aiq == 0) {
                                continue;
                            }
                            double[] bq = b[q];
                            for (int j = j0; j < j1; j++) {
                                ci[j] += aiq * bq[j];
                            }
                        }
                    }
                }
            }
        });
    }

    /** The transpose of a (m x n). */
    static double[][] transpose(double[][] a, int n) {
        int m = a.length;
        double[][] t = new double[n][m];
        for (int i = 0; i < m; i++) {
            double[] ai = a[i];
            for (int j = 0; j < n; j++) {
                t[j][i] = ai[j];
            }
        }
        return t;
    }

    /** Runs body(i) for i in [from, to), in parallel when work (total multiply-adds) pays off. */
    static void rows(int from, int to, long work, IntConsumer body) {
        if (to - from > 1 && work >= PARALLEL_WORK) {
            IntStream.range(from, to).parallel().forEach(body);
        } else {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        }
    }
}
