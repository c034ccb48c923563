package io.dpdm.dp;

import java.util.Arrays;

/**
 * Poisson subsampling, the sampling scheme the DP-SGD accountants assume (Abadi et al. 2016;
 * Mironov, Talwar, Zhang 2019): at logical step t every one of the N examples joins the batch
 * independently with probability q, so the batch size is Binomial(N, q) and may be zero.
 *
 * <p>The coins come from {@link DpRandom.Purpose#SAMPLING} stream of step t, one 53-bit uniform
 * per example compared with q; they depend only on (N, q, generator, t), never on the data, and
 * every example consumes its coin whether or not earlier ones were taken.
 *
 * @param datasetSize N, the number of training examples
 * @param sampleRate q in (0, 1]
 */
public record PoissonSampler(int datasetSize, double sampleRate) {
    public PoissonSampler {
        if (datasetSize <= 0) {
            throw new IllegalArgumentException("datasetSize must be > 0, got " + datasetSize);
        }
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw new IllegalArgumentException("sampleRate must be in (0, 1], got " + sampleRate);
        }
    }

    /** The example indices (ascending) of logical step {@code step}. */
    public int[] sample(DpRandom random, long step) {
        return sample(random, step, DpRandom.Purpose.SAMPLING);
    }

    /** The example indices (ascending) drawn with the coins of stream (purpose, step). */
    public int[] sample(DpRandom random, long step, DpRandom.Purpose purpose) {
        DpRandom.Stream coins = random.stream(purpose, step);
        int[] chosen = new int[datasetSize];
        int size = 0;
        for (int i = 0; i < datasetSize; i++) {
            if (coins.nextDouble() < sampleRate) {
                chosen[size++] = i;
            }
        }
        return Arrays.copyOf(chosen, size);
    }

    /** N * q: the expected batch size, the divisor of the noisy gradient sum. */
    public double expectedBatchSize() {
        return datasetSize * sampleRate;
    }
}
