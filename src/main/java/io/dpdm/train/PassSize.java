package io.dpdm.train;

import io.dpdm.diffusion.UNetConfig;

/**
 * Examples per physical training pass when a config names none: as many as keep a pass's
 * first-level activation map (rows x base channels x grid side^2 in float32, a row being one draw
 * of one example) within {@link #PASS_BYTES}, rounded down to a power of two of rows, so the
 * memory of a step follows the network and K rather than B. The result does not depend on it
 * beyond float summation order.
 */
public final class PassSize {
    /**
     * Measured with {@code dpdm bench dp-step} on 2 cores, float32, DP draws per second and peak
     * RSS. The 28x28 nf 32 network (100 kB per row), 64 examples x 4 draws (AMD Zen3, AVX2): 33.8
     * in 4.8 GB with passes of 256 rows, 32.8 in 2.1 GB with 64; 16 x 32 (AMD Zen5): 94 in 3.6 GB
     * with 64 rows, 91 in 6.7 GB with 256, 40 in 12.8 GB with 512. The patch-2 nf 16 network (12.5
     * kB per row), 1,024 examples x 1 draw (Zen3): 387 in 2.4 GB with 512 rows, 360 in 1.7 GB with
     * 128, 222 with 32; 512 x 1: 337-394 with 512 rows against 303-343 with 256. Both optima,
     * 64 and 512 rows, are about 6.4 MB of first-level activations.
     */
    static final long PASS_BYTES = 8L << 20;

    private PassSize() {}

    /**
     * @param drawsPerPass the draws of one example that share a pass (K, or fewer when the draws
     *     are split across passes)
     * @param batch the logical batch size B, which bounds the result
     */
    public static int examples(UNetConfig network, int drawsPerPass, int batch) {
        return Math.max(1, Math.min(batch, network.rowsWithin(PASS_BYTES, 4) / drawsPerPass));
    }
}
