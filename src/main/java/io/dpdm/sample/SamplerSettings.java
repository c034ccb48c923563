package io.dpdm.sample;

/**
 * How to sample: the noise grid, the solver and the guidance weight.
 *
 * @param grid the EDM noise levels
 * @param solver the step rule
 * @param guidance classifier-free guidance weight w >= 0 (DPDM default 0)
 */
public record SamplerSettings(NoiseGrid grid, Solver solver, double guidance) {
    public SamplerSettings {
        if (grid == null || solver == null) {
            throw new IllegalArgumentException("sampler settings need a noise grid and a solver");
        }
        if (!(guidance >= 0) || !Double.isFinite(guidance)) {
            throw new IllegalArgumentException("guidance weight must be a finite number >= 0, got " + guidance);
        }
    }
}
