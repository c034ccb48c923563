package io.dpdm.dp;

import io.dpdm.nn.BatchRandomness;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-example randomness of one logical step t (diffusion sigma and noise, label dropout,
 * augmentation, dropout masks): every generator is seeded by one AES block under the step's key,
 * {@code AES_key(0x45 | k (3 bytes) | t (4 bytes) | record id (8 bytes))}, so it is a function of
 * (key, t, the record, the draw k) and of nothing else: not of the record's position in the data
 * set or in the batch, nor of the other records sampled or of the micro-batch. Adding or removing
 * one record changes no other record's draws, which is what the sensitivity argument of DP-SGD
 * needs (one record changes the clipped sum by at most C). The key is secret by default, so the
 * draws are also unpredictable; and since counter blocks of {@link DpRandom.Purpose} streams start
 * with a zero byte, these blocks never coincide with them.
 *
 * <p>The record id is a fingerprint of the record's content ({@code ImageSplit.recordIds}); two
 * identical records (same pixels and label) get the same draws, which changes nothing in the
 * argument above. The bulk values come from an L64X128MixRandom seeded with the block's 128 bits
 * (fast; its output needs no secrecy beyond the seed's).
 */
public final class ExampleRandomness {
    private static final byte TAG = 0x45;
    private static final int EXAMPLE_LEVEL = 0xFFFFFF;
    private static final RandomGeneratorFactory<RandomGenerator> ALGORITHM =
            RandomGeneratorFactory.of("L64X128MixRandom");

    private final Cipher aes;
    private final int step;

    ExampleRandomness(byte[] key, long step) {
        if (step < 0 || step > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("step must be in [0, 2^32), got " + step);
        }
        this.step = (int) step;
        try {
            aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES unavailable in this JVM", e);
        }
    }

    /** The generator of record {@code id} shared by its draws (e.g. label dropout). */
    public RandomGenerator example(long id) {
        return generator(id, EXAMPLE_LEVEL);
    }

    /** The generator of draw {@code k} (0 &lt;= k &lt; 2^24 - 1) of record {@code id}. */
    public RandomGenerator draw(long id, int k) {
        if (k < 0 || k >= EXAMPLE_LEVEL) {
            throw new IllegalArgumentException("draw index must be in [0, " + EXAMPLE_LEVEL + "), got " + k);
        }
        return generator(id, k);
    }

    /**
     * The generators of a pass over records {@code ids} (one per example, in batch order), K
     * draws each, made when first asked for.
     */
    public BatchRandomness batch(long[] ids, int draws) {
        return batch(ids, 0, draws);
    }

    /**
     * The generators of a pass that holds draws firstDraw .. firstDraw + draws - 1 of each record
     * (an example's K draws split across passes): the pass's draw k is the record's draw
     * firstDraw + k, and each pass gets its own fresh copy of the record's shared generator, so
     * every pass of the split draws the same shared values (label dropout) as the whole.
     */
    public BatchRandomness batch(long[] ids, int firstDraw, int draws) {
        if (ids.length < 1 || draws < 1 || firstDraw < 0) {
            throw new IllegalArgumentException("a pass needs >= 1 example, >= 1 draw and a first draw >= 0, got "
                    + ids.length + ", " + draws + " and " + firstDraw);
        }
        long[] records = ids.clone();
        RandomGenerator[] perExample = new RandomGenerator[records.length];
        RandomGenerator[] perDraw = new RandomGenerator[records.length * draws];
        return new BatchRandomness() {
            @Override
            public int examples() {
                return records.length;
            }

            @Override
            public int draws() {
                return draws;
            }

            @Override
            public RandomGenerator example(int b) {
                if (perExample[b] == null) {
                    perExample[b] = ExampleRandomness.this.example(records[b]);
                }
                return perExample[b];
            }

            @Override
            public RandomGenerator draw(int b, int k) {
                int row = k * records.length + b;
                if (perDraw[row] == null) {
                    perDraw[row] = ExampleRandomness.this.draw(records[b], firstDraw + k);
                }
                return perDraw[row];
            }
        };
    }

    /** Synchronized: lanes draw concurrently, and a Cipher is not thread-safe. */
    private synchronized RandomGenerator generator(long id, int k) {
        byte[] block = ByteBuffer.allocate(16).putInt(TAG << 24 | k).putInt(step).putLong(id).array();
        try {
            return ALGORITHM.create(aes.doFinal(block));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES block failed", e);
        }
    }
}
