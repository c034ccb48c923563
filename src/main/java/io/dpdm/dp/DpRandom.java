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
 * The randomness of DP-SGD: a counter-based generator built on AES-128 in counter mode (a
 * standard CSPRNG construction, NIST SP 800-90A CTR_DRBG without reseeding; hardware-accelerated
 * through javax.crypto). The stream for (purpose, logical step t) is the AES-CTR keystream under
 * a key, with initial counter block {@code purpose (4 bytes) | t (8 bytes) | 0 (4 bytes)}, so:
 *
 * <ul>
 *   <li><b>seeded mode</b> ({@link #seeded}): one key derived from a 64-bit seed. The stream of
 *       step t is a pure function of (seed, purpose, t): resuming from a checkpoint needs only
 *       the seed and t, and sampling and noise are separate streams that never overlap.
 *       Reproducible, and therefore NOT secret: anyone who knows the seed knows the noise and can
 *       subtract it, so a seeded run's guarantee holds only against adversaries who do not know
 *       the seed (treat it like a password, or use secure mode).
 *   <li><b>secure mode</b> ({@link #secure}): every stream gets a fresh 128-bit key drawn from a
 *       {@link SecureRandom}. Nothing that would regenerate past noise is kept in memory or in a
 *       checkpoint (keys are discarded after use), so a leaked checkpoint or a later memory dump
 *       does not reveal the noise of earlier steps. Not reproducible by design.
 * </ul>
 *
 * <p>What secure mode does NOT protect against: the floating-point attack on Gaussian/Laplace
 * samplers (Mironov 2012, "On significance of the least significant bits for differential
 * privacy"): noise is computed in double precision and rounded to float32 before it is added to
 * float32 gradients, and the set of representable sums is not the set the proof assumes, so the
 * low-order bits of a released value can in principle reveal more than the real-valued analysis
 * says. No snapping or discrete sampler is implemented. It also does not protect against side
 * channels (timing, memory) on the training machine, nor against an adversary who can read the
 * process memory during a step.
 *
 * <p>Instances are not thread-safe; a {@link Stream} is meant to be used by one thread.
 */
public final class DpRandom {
    /** Independent streams per logical step. */
    public enum Purpose {
        /** Poisson subsampling of the logical batch. */
        SAMPLING,
        /** Gaussian noise added to the clipped gradient sum. */
        NOISE
    }

    /**
     * Keystream bytes per Cipher.update call. Small on purpose: HotSpot swaps in the AES-NI
     * counter-mode intrinsic only once the update path is compiled, which takes thousands of
     * calls; with 4 KiB chunks that happens within the first step (~5 GB/s after), with 64 KiB
     * chunks only after ~150 steps of 2 MB, running at ~0.2 GB/s until then (measured, JDK 17).
     */
    private static final int BUFFER_BYTES = 1 << 12;

    private final Long seed;
    private final byte[] seededKey;
    private final SecureRandom secureSource;

    private DpRandom(Long seed, byte[] seededKey, SecureRandom secureSource) {
        this.seed = seed;
        this.seededKey = seededKey;
        this.secureSource = secureSource;
    }

    /** Reproducible mode: the key is SHA-256("dpdm-dp-sgd/" + seed) truncated to 128 bits. */
    public static DpRandom seeded(long seed) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("dpdm-dp-sgd/" + seed).getBytes(StandardCharsets.US_ASCII));
            byte[] key = new byte[16];
            System.arraycopy(digest, 0, key, 0, 16);
            return new DpRandom(seed, key, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JVM", e);
        }
    }

    /** Secure mode: a fresh key from {@code source} for every stream (inject for tests). */
    public static DpRandom secure(SecureRandom source) {
        return new DpRandom(null, null, Objects.requireNonNull(source, "source"));
    }

    /**
     * Secure mode with the JDK's NIST SP 800-90A DRBG, seeded from the operating system's entropy.
     * Not getInstanceStrong(): on Linux that reads the blocking /dev/random and can stall a step.
     */
    public static DpRandom secure() {
        try {
            return secure(SecureRandom.getInstance("DRBG"));
        } catch (GeneralSecurityException e) {
            return secure(new SecureRandom());
        }
    }

    public boolean isSecure() {
        return secureSource != null;
    }

    /** The seed of seeded mode (what a checkpoint stores); empty in secure mode. */
    public java.util.OptionalLong seed() {
        return seed == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(seed);
    }

    /** The stream for (purpose, logical step). In secure mode each call draws a new key. */
    public Stream stream(Purpose purpose, long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        byte[] key;
        if (secureSource != null) {
            key = new byte[16];
            secureSource.nextBytes(key);
        } else {
            key = seededKey;
        }
        byte[] iv = ByteBuffer.allocate(16).putInt(purpose.ordinal()).putLong(step).putInt(0).array();
        return new Stream(key, iv);
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
