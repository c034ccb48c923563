package io.dpdm.sample;

/**
 * EDM's time discretisation (Karras et al. 2022, eq. 5):
 * sigma_i = (smax^(1/rho) + i/(N-1) (smin^(1/rho) - smax^(1/rho)))^rho for i = 0..N-1, then
 * sigma_N = 0. rho = 7 spends most steps at low noise; rho = 1 is uniform in sigma.
 *
 * @param sigmaMin smallest non-zero level (EDM/DPDM 0.002)
 * @param sigmaMax starting level; sampling starts from sigmaMax * z (EDM/DPDM 80)
 * @param rho the warp exponent (7)
 * @param steps N, the number of non-zero levels (>= 2: the grid needs both ends)
 */
public record NoiseGrid(double sigmaMin, double sigmaMax, double rho, int steps) {
    public NoiseGrid {
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || !Double.isFinite(sigmaMax)) {
            throw new IllegalArgumentException(
                    "noise grid needs 0 < sigma_min < sigma_max < infinity, got " + sigmaMin + ", " + sigmaMax);
        }
        if (!(rho > 0) || !Double.isFinite(rho)) {
            throw new IllegalArgumentException("noise grid rho must be a finite number > 0, got " + rho);
        }
        if (steps < 2) {
            throw new IllegalArgumentException("sampling steps must be >= 2 (sigma_max and sigma_min), got " + steps);
        }
    }

    /**
     * Smallest level of the jobs' grid, 0.2 instead of EDM's 0.002: the CPU presets' briefly
     * trained denoisers leave speckle below it, and a grid that ends there returns their denoised
     * estimate at 0.2 (docs/EXPERIMENTS.md row S9: on the quick model CNN +0.9 points, Frechet
     * distance 5.1 -> 3.8, at the same cost).
     */
    public static final double JOB_SIGMA_MIN = 0.2;

    /** The jobs' grid: {@link #JOB_SIGMA_MIN} to 80, rho 7, {@code steps} levels. */
    public static NoiseGrid jobs(int steps) {
        return new NoiseGrid(JOB_SIGMA_MIN, 80, 7, steps);
    }

    /** EDM's defaults (0.002, 80, rho 7) with {@code steps} levels. */
    public static NoiseGrid edm(int steps) {
        return new NoiseGrid(0.002, 80, 7, steps);
    }

    /** The N + 1 levels sigma_0 = sigmaMax > ... > sigma_{N-1} = sigmaMin > sigma_N = 0. */
    public double[] sigmas() {
        double[] s = new double[steps + 1];
        double hi = Math.pow(sigmaMax, 1 / rho);
        double lo = Math.pow(sigmaMin, 1 / rho);
        for (int i = 0; i < steps; i++) {
            s[i] = Math.pow(hi + i / (steps - 1.0) * (lo - hi), rho);
        }
        s[0] = sigmaMax; // exact ends, whatever the rounding of the power
        s[steps - 1] = sigmaMin;
        return s;
    }
}
