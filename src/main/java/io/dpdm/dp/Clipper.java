package io.dpdm.dp;

/**
 * Per-example clipping (DP-SGD step 2, Abadi et al. 2016, Algorithm 1): each example's scale
 * factor from its gradient norms (the weighted sum is {@link io.dpdm.nn.PerExampleGradients}'s).
 *
 * <p>A per-example gradient with any non-finite value (NaN, +-Inf, or a float32 norm that
 * overflows, i.e. above ~1.8e19) gets factor 0: the whole example's gradient is replaced by zero
 * before clipping, so one bad example cannot poison the update. Zero is a valid clipped gradient,
 * so the sensitivity stays C. Any factor that is not a number in [0, 1] is treated the same way.
 * Squared norms slightly below zero (float32 rounding in a ghost norm) count as zero.
 *
 * @param mode flat or per-layer (see {@link Clipping} for how C is split)
 * @param clipNorm C > 0
 */
public record Clipper(Clipping mode, double clipNorm) {
    /** The 1e-6 of min(1, C / (||g|| + 1e-6)), as in Opacus and DPDM. */
    static final double NORM_EPS = 1e-6;

    public Clipper {
        if (mode == null) {
            throw new IllegalArgumentException("clipping mode must be given");
        }
        if (!(clipNorm > 0 && Double.isFinite(clipNorm))) {
            throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
        }
    }

    /**
     * Scale factors [layer][example] from each example's squared gradient norm per parameter
     * tensor ([layer][example]); in flat mode every layer's row is the same. Zero for an example
     * with a non-finite norm.
     */
    public double[][] factors(double[][] squares) {
        int layers = squares.length;
        int batch = squares[0].length;
        double[][] factors = new double[layers][batch];
        double layerNorm = clipNorm / Math.sqrt(layers);
        for (int b = 0; b < batch; b++) {
            double total = 0;
            for (int l = 0; l < layers; l++) {
                total += Math.max(0, squares[l][b]);
            }
            if (!Double.isFinite(total)) {
                continue; // whole example stays 0
            }
            double[] f = new double[layers];
            for (int l = 0; l < layers; l++) {
                f[l] = mode == Clipping.FLAT
                        ? Math.min(1, clipNorm / (Math.sqrt(total) + NORM_EPS))
                        : Math.min(1, layerNorm / (Math.sqrt(Math.max(0, squares[l][b])) + NORM_EPS));
                if (!(f[l] >= 0 && f[l] <= 1)) {
                    f = null; // NaN: the whole example stays 0
                    break;
                }
            }
            if (f != null) {
                for (int l = 0; l < layers; l++) {
                    factors[l][b] = f[l];
                }
            }
        }
        return factors;
    }
}
