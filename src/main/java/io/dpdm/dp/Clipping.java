package io.dpdm.dp;

/**
 * How a per-example gradient is bounded to L2 norm C (its sensitivity) before summation.
 */
public enum Clipping {
    /**
     * One norm over ALL parameters of the example: g &larr; g * min(1, C / (||g|| + 1e-6))
     * (Abadi et al. 2016; DPDM; Opacus "flat" clipping). The default.
     */
    FLAT,
    /**
     * Each of the L parameter tensors ("layers") is clipped separately to C / sqrt(L), the
     * equal split used by Opacus per-layer clipping: the whole example's norm is then at most
     * sqrt(L * C^2 / L) = C, so the sensitivity, the noise std sigma * C and the accounting are
     * exactly those of flat clipping.
     */
    PER_LAYER
}
