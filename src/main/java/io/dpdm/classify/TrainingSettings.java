package io.dpdm.classify;

import io.dpdm.dp.KeyMode;
import io.dpdm.privacy.Accountants;

/** How {@link ClassifierTrainer} trains: without privacy, or with DP-SGD at a target (eps, delta). */
public sealed interface TrainingSettings {
    int epochs();

    long seed();

    /**
     * Ordinary training, the DPDM evaluation protocol: Adam, shuffled epochs of fixed-size batches
     * (the last one may be smaller), mean cross-entropy.
     */
    record NonPrivate(int epochs, int batchSize, double learningRate, long seed) implements TrainingSettings {
        public NonPrivate {
            requirePositive("epochs", epochs);
            requirePositive("batch size", batchSize);
            requireRate(learningRate);
        }

        /** Adam lr 3e-4, batch 128 (DPDM's downstream classifiers), for {@code epochs} epochs. */
        public static NonPrivate paper(int epochs, long seed) {
            return new NonPrivate(epochs, 128, 3e-4, seed);
        }
    }

    /**
     * DP-SGD (Poisson sampling at q = batchSize / N, flat clipping to {@code clipNorm}, Gaussian
     * noise calibrated so that epochs / q steps spend at most (epsilon, delta) under
     * {@code accountant}), Adam on the noisy gradient.
     *
     * @param batchSize expected logical batch size (q N)
     * @param microBatchSize physical micro-batch size (memory bound only; no effect on the result)
     * @param keys keys of sampling, noise and dropout masks: RUN_SECRET (default: one SecureRandom
     *     secret, kept in memory only), FRESH (new keys every step) or PUBLIC_SEED (from {@code seed}:
     *     NO guarantee)
     * @param seed initial weights and, only with PUBLIC_SEED keys, the DP randomness
     */
    record Private(double epsilon, double delta, String accountant, int epochs, int batchSize, double clipNorm,
            double learningRate, int microBatchSize, KeyMode keys, long seed) implements TrainingSettings {
        public Private {
            keys = keys == null ? KeyMode.RUN_SECRET : keys;
            if (!(epsilon > 0 && Double.isFinite(epsilon))) {
                throw new IllegalArgumentException("epsilon must be > 0 and finite, got " + epsilon);
            }
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
            }
            Accountants.byName(accountant); // validates the name
            requirePositive("epochs", epochs);
            requirePositive("batch size", batchSize);
            requirePositive("micro-batch size", microBatchSize);
            if (!(clipNorm > 0 && Double.isFinite(clipNorm))) {
                throw new IllegalArgumentException("clip norm must be > 0 and finite, got " + clipNorm);
            }
            requireRate(learningRate);
        }
    }

    private static void requirePositive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + value);
        }
    }

    private static void requireRate(double lr) {
        if (!(lr > 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("learning rate must be > 0 and finite, got " + lr);
        }
    }
}
