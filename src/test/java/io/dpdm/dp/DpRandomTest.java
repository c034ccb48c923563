package io.dpdm.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class DpRandomTest {
    /** A SecureRandom whose output the test controls and observes. */
    static final class RecordingSecureRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        int calls;
        int bytes;
        byte next = 1;

        @Override
        public void nextBytes(byte[] out) {
            calls++;
            bytes += out.length;
            Arrays.fill(out, next++);
        }
    }

    @Test
    void gaussianNoiseHasMeanZeroAndStdSigmaC() {
        int n = 1_000_000;
        double std = 2.5 * 0.7; // sigma * C
        float[] z = new float[n];
        DpRandom.publicSeed(42).stream(DpRandom.Purpose.NOISE, 3).fillGaussian(z, std);
        double sum = 0;
        double sumSq = 0;
        int withinOneStd = 0;
        for (float v : z) {
            sum += v;
            sumSq += (double) v * v;
            withinOneStd += Math.abs(v) <= std ? 1 : 0;
        }
        double mean = sum / n;
        double variance = sumSq / n - mean * mean;
        // Standard errors: mean std/sqrt(n); variance std^2 sqrt(2/n); a proportion sqrt(p(1-p)/n).
        assertEquals(0, mean, 5 * std / Math.sqrt(n), "mean");
        assertEquals(std * std, variance, 5 * std * std * Math.sqrt(2.0 / n), "variance");
        double p = 0.6826894921370859; // P(|Z| <= 1)
        assertEquals(p, withinOneStd / (double) n, 5 * Math.sqrt(p * (1 - p) / n), "P(|z| <= std)");
    }

    @Test
    void consecutiveValuesAreUncorrelatedAndTailsMatchTheNormal() {
        int n = 1_000_000;
        float[] z = new float[n];
        DpRandom.publicSeed(5).stream(DpRandom.Purpose.NOISE, 0).fillGaussian(z, 1);
        double cross = 0;
        for (int i = 0; i + 1 < n; i++) {
            cross += (double) z[i] * z[i + 1];
        }
        assertEquals(0, cross / (n - 1), 5 / Math.sqrt(n - 1.0), "E[z_i z_i+1]");
        // The ziggurat's wedges and tail are separate code paths: check P(|Z| > t) beyond them.
        double[] thresholds = {2, 3, 4};
        double[] probabilities = {0.04550026389635842, 0.0026997960632601866, 6.334248366623996e-05};
        for (int k = 0; k < thresholds.length; k++) {
            int beyond = 0;
            for (float v : z) {
                beyond += Math.abs(v) > thresholds[k] ? 1 : 0;
            }
            double p = probabilities[k];
            assertEquals(p, beyond / (double) n, 5 * Math.sqrt(p * (1 - p) / n), "P(|z| > " + thresholds[k] + ")");
        }
    }

    @Test
    void publicSeedStreamsAreReproducibleAndSeparatedByPurposeAndStep() {
        DpRandom a = DpRandom.publicSeed(11);
        DpRandom b = DpRandom.publicSeed(11);
        assertEquals(a.stream(DpRandom.Purpose.NOISE, 7).nextLong(), b.stream(DpRandom.Purpose.NOISE, 7).nextLong());
        long noise = a.stream(DpRandom.Purpose.NOISE, 7).nextLong();
        assertTrue(noise != a.stream(DpRandom.Purpose.SAMPLING, 7).nextLong());
        assertTrue(noise != a.stream(DpRandom.Purpose.NOISE, 8).nextLong());
        assertTrue(noise != DpRandom.publicSeed(12).stream(DpRandom.Purpose.NOISE, 7).nextLong());
        assertEquals(KeyMode.PUBLIC_SEED, a.mode());
        assertFalse(a.mode().secret());
    }

    @Test
    void runSecretsAreFreshPerRunAndReproduceTheirOwnStreams() {
        DpRandom a = DpRandom.newRunSecret();
        DpRandom b = DpRandom.newRunSecret();
        assertEquals(KeyMode.RUN_SECRET, a.mode());
        assertEquals(16, a.runSecret().length);
        assertFalse(Arrays.equals(a.runSecret(), b.runSecret()));
        long first = a.stream(DpRandom.Purpose.NOISE, 3).nextLong();
        assertTrue(first != b.stream(DpRandom.Purpose.NOISE, 3).nextLong(), "two runs share noise");
        DpRandom resumed = DpRandom.runSecret(a.runSecret());
        assertEquals(first, resumed.stream(DpRandom.Purpose.NOISE, 3).nextLong());
        assertEquals(a.examples(3).draw(77, 1).nextLong(), resumed.examples(3).draw(77, 1).nextLong());
        assertThrows(IllegalStateException.class, () -> DpRandom.fresh().runSecret());
        assertThrows(IllegalStateException.class, () -> DpRandom.publicSeed(1).runSecret());
    }

    /**
     * Independent truth for the per-example generators: one AES-128 block under the key,
     * 0x45 | k (3 bytes) | step (4 bytes) | record id (8 bytes), seeds an L64X128MixRandom; the
     * example-level generator uses k = 0xFFFFFF.
     */
    @Test
    void exampleGeneratorsAreSeededByOneAesBlockOfKeyStepRecordAndDraw() throws Exception {
        byte[] key = new byte[16];
        Arrays.fill(key, (byte) 7);
        ExampleRandomness r = DpRandom.runSecret(key).examples(12);
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        long id = 0x0123456789ABCDEFL;
        for (int k : new int[] {0, 5, 0xFFFFFF}) {
            byte[] block = ByteBuffer.allocate(16).put((byte) 0x45).put((byte) (k >>> 16)).put((byte) (k >>> 8))
                    .put((byte) k).putInt(12).putLong(id).array();
            RandomGenerator expected = RandomGeneratorFactory.of("L64X128MixRandom").create(aes.doFinal(block));
            RandomGenerator actual = k == 0xFFFFFF ? r.example(id) : r.draw(id, k);
            for (int i = 0; i < 4; i++) {
                assertEquals(expected.nextLong(), actual.nextLong(), "k " + k + " value " + i);
            }
        }
    }

    /** A batch's generators belong to its records: positions and batch mates change nothing. */
    @Test
    void batchGeneratorsDependOnTheRecordNotOnItsPosition() {
        ExampleRandomness r = DpRandom.newRunSecret().examples(4);
        io.dpdm.nn.BatchRandomness alone = r.batch(new long[] {42}, 2);
        io.dpdm.nn.BatchRandomness mixed = r.batch(new long[] {7, 9, 42}, 2);
        assertEquals(alone.draw(0, 1).nextLong(), mixed.draw(2, 1).nextLong());
        assertEquals(alone.row(1).nextLong(), mixed.row(5).nextLong()); // row k*B + b
        assertEquals(alone.example(0).nextLong(), mixed.example(2).nextLong());
        assertTrue(mixed.draw(0, 0).nextLong() != mixed.draw(1, 0).nextLong());
        assertTrue(r.draw(42, 0).nextLong() != DpRandom.newRunSecret().examples(4).draw(42, 0).nextLong());
    }

    @Test
    void secureModeDrawsAFreshKeyFromTheSecureSourceForEveryStream() throws Exception {
        RecordingSecureRandom source = new RecordingSecureRandom();
        DpRandom random = DpRandom.fresh(source);
        assertEquals(KeyMode.FRESH, random.mode());

        float[] z = new float[3];
        random.stream(DpRandom.Purpose.NOISE, 9).fillGaussian(z, 1.0);
        assertEquals(1, source.calls);
        assertEquals(16, source.bytes);

        // Independent truth: AES-128-CTR under the key the source produced (sixteen 0x01
        // bytes), counter block (purpose NOISE = 1 | step 9 | 0), read as big-endian 64-bit
        // words by the JDK's own Gaussian algorithm (RandomGenerator.nextGaussian).
        byte[] key = new byte[16];
        Arrays.fill(key, (byte) 1);
        byte[] iv = ByteBuffer.allocate(16).putInt(1).putLong(9).putInt(0).array();
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        ByteBuffer ks = ByteBuffer.wrap(aes.update(new byte[1024]));
        RandomGenerator byHand = ks::getLong;
        for (int i = 0; i < 3; i++) {
            assertEquals((float) byHand.nextGaussian(), z[i], 0f, "value " + i);
        }

        // The same step asked again gets a new key: nothing regenerates past noise.
        float[] again = new float[3];
        random.stream(DpRandom.Purpose.NOISE, 9).fillGaussian(again, 1.0);
        assertEquals(2, source.calls);
        assertFalse(Arrays.equals(z, again));
        // So does every step's per-example randomness.
        long draw = random.examples(9).draw(5, 0).nextLong();
        assertEquals(3, source.calls);
        assertTrue(draw != random.examples(9).draw(5, 0).nextLong());
    }

    @Test
    void uniformsCoverTheUnitIntervalEvenly() {
        DpRandom.Stream s = DpRandom.publicSeed(1).stream(DpRandom.Purpose.SAMPLING, 0);
        int n = 200_000;
        int[] bins = new int[10];
        for (int i = 0; i < n; i++) {
            double u = s.nextDouble();
            assertTrue(u >= 0 && u < 1);
            bins[(int) (u * 10)]++;
        }
        double chi2 = 0;
        for (int c : bins) {
            chi2 += Math.pow(c - n / 10.0, 2) / (n / 10.0);
        }
        // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
        assertTrue(chi2 < 27.88, "chi-square " + chi2);
    }
}
