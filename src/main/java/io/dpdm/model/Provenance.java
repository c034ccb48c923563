package io.dpdm.model;

/**
 * Where a model came from, for tracing it (Tribuo-style provenance). Released with the model, so
 * it holds no path, no key and nothing computed from the private data.
 *
 * @param software dpdm version
 * @param engine tensor engine and version
 * @param initialWeightsSeed the seed of the initial weights (public, like the architecture; it
 *     keys no privacy-critical randomness unless {@code randomness} says "public-seed-no-guarantee")
 * @param step logical training steps taken
 * @param randomness how the keys of DP sampling, DP noise and the per-example draws were made:
 *     {@link #SECRET_RUN_KEY}, {@link #SECURE_FRESH_KEYS} or {@link #PUBLIC_SEED}
 * @param initialModel what the weights were initialised from (a description, never a path), or empty
 */
public record Provenance(String software, String engine, long initialWeightsSeed, long step, String randomness,
        String initialModel) {
    public static final String SOFTWARE = "dpdm 0.2.0";
    public static final String ENGINE = "DJL 0.34.0 / PyTorch 2.7.1 (CPU)";
    /** One SecureRandom secret per run, held only in the operator's run state. */
    public static final String SECRET_RUN_KEY = "secret-run-key";
    /** Secure mode: fresh SecureRandom keys for every step, never stored. */
    public static final String SECURE_FRESH_KEYS = "secure-fresh-keys";
    /** Keys derived from the public initial-weights seed: the model has no guarantee. */
    public static final String PUBLIC_SEED = "public-seed-no-guarantee";

    public Provenance {
        randomness = randomness == null ? "" : randomness;
        initialModel = initialModel == null ? "" : initialModel;
    }
}
