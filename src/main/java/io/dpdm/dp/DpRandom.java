package io.dpdm.dp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.random.RandomGenerator;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The privacy-critical randomness of DP-SGD, from AES-128 (a standard CSPRNG construction, NIST
 * SP 800-90A CTR_DRBG without reseeding; hardware-accelerated through javax.crypto):
 *
 * <ul>
 *   <li>the SAMPLING and NOISE streams of logical step t are the AES-CTR keystream under the key,
 *       with initial counter block {@code purpose (4 bytes) | t (8 bytes) | 0 (4 bytes)};
 *   <li>the per-example draws of step t ({@link ExampleRandomness}) are seeded by single AES
 *       blocks under the key that start with a byte no counter block has.
 * </ul>
 *
 * <p>Keys, by {@link KeyMode}: {@link #newRunSecret()} draws one secret per run, which the
 * operator's checkpoint keeps ({@link #runSecret()}) so that a resumed run is bit-exact; {@link
 * #fresh()} draws a new key for every stream and keeps none (a leaked checkpoint or a later memory
 * dump does not reveal earlier noise; resume draws anew); {@link #publicSeed} derives the key
 * from a seed anyone may know, which voids the guarantee (tests, debugging).
 *
 * <p>What no mode protects against: the floating-point attack on Gaussian samplers (Mironov 2012,
 * "On significance of the least significant bits for differential privacy"): noise is computed
 * in double precision and rounded to float32 before it is added to float32 gradients, and the set
 * of representable sums is not the set the proof assumes. No snapping or discrete sampler is
 * implemented. Nor side channels (timing, memory) on the training machine, nor an adversary who
 * reads the process memory during a step.
 *
 * <p>Instances are not thread-safe; a {@link Stream} is meant to be used by one thread.
 */
public final class DpRandom {
    /** Independent streams per logical step. */
    public enum Purpose {
        /** Poisson subsampling of the logical batch. */
        SAMPLING,
        /** Gaussian noise added to the clipped gradient sum. */
        NOISE,
        /** Poisson subsampling of a statistic's release round (warm start). */
        RELEASE_SAMPLING,
        /** Gaussian noise of a statistic's release round. */
        RELEASE_NOISE
    }

    /**
     * Keystream bytes per Cipher.update call. Small on purpose: HotSpot swaps in the AES-NI
     * counter-mode intrinsic only once the update path is compiled, which takes thousands of
     * calls; with 4 KiB chunks that happens within the first step (~5 GB/s after), with 64 KiB
     * chunks only after ~150 steps of 2 MB, running at ~0.2 GB/s until then (measured, JDK 17).
     */
    private static final int BUFFER_BYTES = 1 << 12;
    private static final int KEY_BYTES = 16;

    private final KeyMode mode;
    private final byte[] key;
    private final SecureRandom freshSource;

    private DpRandom(KeyMode mode, byte[] key, SecureRandom freshSource) {
        this.mode = mode;
        this.key = key;
        this.freshSource = freshSource;
    }

    /** A new run secret: 128 bits from the operating system's entropy (see {@link #secureSource()}). */
    public static DpRandom newRunSecret() {
        byte[] key = new byte[KEY_BYTES];
        secureSource().nextBytes(key);
        return new DpRandom(KeyMode.RUN_SECRET, key, null);
    }

    /** The run secret a checkpoint kept ({@link #runSecret()}), to resume bit-exactly. */
    public static DpRandom runSecret(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a run secret is " + KEY_BYTES + " bytes, got "
                    + (key == null ? "none" : key.length));
        }
        return new DpRandom(KeyMode.RUN_SECRET, key.clone(), null);
    }

    /** A fresh key from {@code source} for every stream and every step (inject for tests). */
    public static DpRandom fresh(SecureRandom source) {
        return new DpRandom(KeyMode.FRESH, null, Objects.requireNonNull(source, "source"));
    }

    /** {@link #fresh(SecureRandom)} with {@link #secureSource()}. */
    public static DpRandom fresh() {
        return fresh(secureSource());
    }

    /**
     * Keys derived from a seed: SHA-256("dpdm-dp-sgd/" + seed) truncated to 128 bits. Whoever knows
     * the seed knows the noise and the batches: NO guarantee (tests and debugging only).
     */
    public static DpRandom publicSeed(long seed) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("dpdm-dp-sgd/" + seed).getBytes(StandardCharsets.US_ASCII));
            byte[] key = new byte[KEY_BYTES];
            System.arraycopy(digest, 0, key, 0, KEY_BYTES);
            return new DpRandom(KeyMode.PUBLIC_SEED, key, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JVM", e);
        }
    }

    /**
     * The JDK's NIST SP 800-90A DRBG, seeded from the operating system's entropy. Not
     * getInstanceStrong(): on Linux that reads the blocking /dev/random and can stall a step.
     */
    static SecureRandom secureSource() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            return new SecureRandom();
        }
    }

    public KeyMode mode() {
        return mode;
    }

    /**
     * A copy of the run secret, for the operator's checkpoint only: whoever holds it regenerates
     * every draw of the run. Only in {@link KeyMode#RUN_SECRET} mode.
     */
    public byte[] runSecret() {
        if (mode != KeyMode.RUN_SECRET) {
            throw new IllegalStateException("only a run-secret DpRandom has a secret to keep; this one is " + mode);
        }
        return key.clone();
    }

    /** The stream for (purpose, logical step). With fresh keys each call draws a new key. */
    public Stream stream(Purpose purpose, long step) {
        checkStep(step);
        byte[] iv = ByteBuffer.allocate(16).putInt(purpose.ordinal()).putLong(step).putInt(0).array();
        return new Stream(keyForUse(), iv);
    }

    /**
     * The per-example randomness of logical step {@code step}. With fresh keys each call draws a
     * new key: call it once per step and share the result among that step's micro-batches.
     */
    public ExampleRandomness examples(long step) {
        checkStep(step);
        return new ExampleRandomness(keyForUse(), step);
    }

    private byte[] keyForUse() {
        if (freshSource == null) {
            return key;
        }
        byte[] k = new byte[KEY_BYTES];
        freshSource.nextBytes(k);
        return k;
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }

    /**
     * One AES-CTR keystream read as 64-bit words. At most 2^32 blocks (64 GiB) per stream: the
     * counter occupies the low 32 bits of the block, so more would run into the next step.
     */
    public static final class Stream implements RandomGenerator {
        private static final long MAX_BLOCKS = 1L << 32;

        private final Cipher cipher;
        private final byte[] zeros = new byte[BUFFER_BYTES];
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        private long blocksUsed;

        private Stream(byte[] key, byte[] iv) {
            try {
                cipher = Cipher.getInstance("AES/CTR/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/CTR unavailable in this JVM", e);
            }
            buffer.position(buffer.limit());
        }

        /**
         * The next 64 keystream bits (big-endian). RandomGenerator's defaults build on it:
         * nextDouble() is (nextLong() >>> 11) * 2^-53, uniform on [0, 1) with 53 random bits.
         */
        @Override
        public long nextLong() {
            if (buffer.remaining() < Long.BYTES) {
                refill();
            }
            return buffer.getLong();
        }

        /**
         * Fills {@code out} with independent N(0, std^2) values, rounded to float32, by the JDK's
         * {@link RandomGenerator#nextGaussian()} (McFarland's modified ziggurat, 2016, exact up
         * to double rounding; about 2x faster than Box-Muller with Java's scalar log/cos/sin) fed
         * by this stream's 64-bit words.
         */
        public void fillGaussian(float[] out, double std) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (std * nextGaussian());
            }
        }

        /** Refills in chunks that double from 1 KiB to 4 KiB: short streams stay cheap. */
        private void refill() {
            int chunk = (int) Math.min(BUFFER_BYTES, Math.max(1024, blocksUsed * 16));
            blocksUsed += chunk / 16;
            if (blocksUsed > MAX_BLOCKS) {
                throw new IllegalStateException("DP random stream exhausted (more than 64 GiB in one step)");
            }
            buffer.clear().limit(chunk);
            try {
                cipher.update(zeros, 0, chunk, buffer.array(), 0);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/CTR keystream failed", e);
            }
        }
    }
}
