package io.dpdm.dp;

/**
 * Where the keys of the privacy-critical randomness (Poisson sampling, DP noise, and every
 * per-example draw that enters a gradient) come from. The guarantee assumes that an adversary
 * who holds every released file and the source code does not know them.
 */
public enum KeyMode {
    /**
     * The default: one fresh 128-bit secret drawn from SecureRandom when the run starts, kept only
     * in the operator's run state (the checkpoint), so that a resumed run repeats its own draws
     * exactly. Never written into anything released.
     */
    RUN_SECRET,
    /** A fresh SecureRandom key for every stream of every step, never stored (resume draws anew). */
    FRESH,
    /**
     * Keys derived from a public seed, for tests and debugging only. Anyone with the seed and the
     * code regenerates the noise and the batches: the model carries NO guarantee.
     */
    PUBLIC_SEED;

    /** True unless the keys are public. */
    public boolean secret() {
        return this != PUBLIC_SEED;
    }
}
