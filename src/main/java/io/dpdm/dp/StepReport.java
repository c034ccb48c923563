package io.dpdm.dp;

/**
 * What one logical step did. {@code batchSize} depends only on the sampling coins; the clipping
 * counts depend on the private data and are diagnostics NOT covered by the DP guarantee (keep
 * them out of anything published).
 *
 * @param step the logical step index t that was run (0-based)
 * @param batchSize examples Poisson-sampled into this logical batch (may be 0)
 * @param microBatches physical micro-batches it was split into
 * @param clippedExamples examples whose gradient was scaled down
 * @param nonFiniteExamples examples whose non-finite gradient was replaced by zero
 */
public record StepReport(long step, int batchSize, int microBatches, int clippedExamples, int nonFiniteExamples) {}
