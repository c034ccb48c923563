package io.dpdm.dp;

/**
 * Settings of the DP-SGD mechanism (DPDM: q = 1/15 for N = 60000, C = 1, flat clipping).
 *
 * @param datasetSize N, the number of private training examples
 * @param sampleRate q in (0, 1], Poisson sampling probability per example and step
 * @param noiseMultiplier sigma >= 0; the noise std on the clipped sum is sigma * C
 * @param clipNorm C > 0
 * @param clipping flat (default in DPDM) or per-layer
 * @param microBatchSize examples per physical micro-batch (bounds memory; no effect on the result)
 */
public record DpSgdConfig(
        int datasetSize,
        double sampleRate,
        double noiseMultiplier,
        double clipNorm,
        Clipping clipping,
        int microBatchSize) {
    public DpSgdConfig {
        new PoissonSampler(datasetSize, sampleRate); // validates N and q
        new Clipper(clipping, clipNorm); // validates C and the mode
        if (!(noiseMultiplier >= 0 && Double.isFinite(noiseMultiplier))) {
            throw new IllegalArgumentException("noiseMultiplier must be finite and >= 0, got " + noiseMultiplier);
        }
        if (microBatchSize <= 0) {
            throw new IllegalArgumentException("microBatchSize must be > 0, got " + microBatchSize);
        }
    }
}
