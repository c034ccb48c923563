package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MemorisationAuditTest {

    private static RowMatrix uniform(Random rnd, int n, int d) {
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return new RowMatrix(v, n, d);
    }

    /** Plain double loops over all pairs: the obviously correct answer. */
    private static int[] bruteForce(RowMatrix q, RowMatrix r, double[] distanceOut) {
        int[] index = new int[q.rows()];
        for (int i = 0; i < q.rows(); i++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < r.rows(); j++) {
                double s = 0;
                for (int k = 0; k < q.cols(); k++) {
                    double diff = (double) q.values()[i * q.cols() + k] - r.values()[j * r.cols() + k];
                    s += diff * diff;
                }
                if (s < best) {
                    best = s;
                    index[i] = j;
                }
            }
            distanceOut[i] = Math.sqrt(best);
        }
        return index;
    }

    @Test
    void matchesBruteForceOnRandomData() {
        Random rnd = new Random(7);
        // More queries than one block, so block boundaries are exercised.
        RowMatrix q = uniform(rnd, 1100, 37);
        RowMatrix r = uniform(rnd, 900, 37);
        double[] expected = new double[q.rows()];
        int[] expectedIndex = bruteForce(q, r, expected);
        NearestNeighbours.Result got = NearestNeighbours.search(q, r);
        assertArrayEquals(expectedIndex, got.index());
        assertArrayEquals(expected, got.distance(), 1e-12);
    }

    @Test
    void nearTiesFarFromTheOriginAreResolvedExactly() {
        // Points around 50 in every coordinate: ||q||^2 + ||r||^2 is ~1e5, so float32 scores
        // cannot separate neighbours that differ by 1e-3; the exact re-ranking must.
        int d = 40;
        Random rnd = new Random(2);
        int n = 300;
        float[] ref = new float[n * d];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = 50 + rnd.nextFloat();
        }
        float[] query = new float[2 * d];
        for (int k = 0; k < d; k++) {
            query[k] = ref[17 * d + k];
            query[d + k] = ref[18 * d + k];
        }
        // Reference 40 is a near-copy of query 0 that is further than the exact copy 17.
        for (int k = 0; k < d; k++) {
            ref[40 * d + k] = query[k] + (k == 0 ? 0.001f : 0f);
        }
        RowMatrix refs = new RowMatrix(ref, n, d);
        RowMatrix queries = new RowMatrix(query, 2, d);
        double[] expected = new double[2];
        int[] expectedIndex = bruteForce(queries, refs, expected);
        NearestNeighbours.Result got = NearestNeighbours.search(queries, refs);
        assertArrayEquals(new int[] {17, 18}, expectedIndex);
        assertArrayEquals(expectedIndex, got.index());
        assertArrayEquals(new double[] {0, 0}, got.distance(), 0);
    }

    @Test
    void plantedCopyIsFoundAtDistanceZeroAndFlagged() {
        Random rnd = new Random(42);
        int d = 28 * 28;
        RowMatrix train = uniform(rnd, 2000, d);
        RowMatrix test = uniform(rnd, 500, d);
        RowMatrix fresh = uniform(rnd, 200, d);
        float[] synthetic = new float[201 * d];
        System.arraycopy(fresh.values(), 0, synthetic, 0, 57 * d);
        System.arraycopy(train.values(), 1234 * d, synthetic, 57 * d, d);
        System.arraycopy(fresh.values(), 57 * d, synthetic, 58 * d, 143 * d);
        RowMatrix syn = new RowMatrix(synthetic, 201, d);

        MemorisationAudit audit = MemorisationAudit.run("pixels", train, syn, test, 5);

        assertEquals(new MemorisationAudit.ClosePair(57, 1234, 0.0), audit.closestPairs().get(0));
        assertEquals(5, audit.closestPairs().size());
        assertEquals(1, audit.exactCopies());
        assertEquals(57, audit.flagged()[0]);

        double[] testDist = new double[500];
        bruteForce(test, train, testDist);
        assertArrayEquals(testDist, audit.testToTrain(), 1e-12);
        double[] synDist = new double[201];
        int[] synIndex = bruteForce(syn, train, synDist);
        assertArrayEquals(synIndex, audit.syntheticNearest());
        double threshold = MemorisationAudit.percentile(testDist, 1);
        assertEquals(threshold, audit.threshold(), 0);
        long below = java.util.Arrays.stream(synDist).filter(x -> x < threshold).count();
        assertEquals(below / 201.0, audit.fractionBelowThreshold(), 0);
        assertEquals(below, audit.flagged().length);
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        assertEquals(2.5, MemorisationAudit.percentile(new double[] {4, 1, 3, 2}, 50), 0);
        // numpy.percentile([0, 10], 1) = 0.1; numpy.percentile([5, 1, 9], 25) = 3.0
        assertEquals(0.1, MemorisationAudit.percentile(new double[] {10, 0}, 1), 1e-15);
        assertEquals(3.0, MemorisationAudit.percentile(new double[] {5, 1, 9}, 25), 0);
        assertEquals(7.0, MemorisationAudit.percentile(new double[] {7}, 1), 0);
    }

    @Test
    void mismatchedDimensionsAreRejected() {
        Random rnd = new Random(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NearestNeighbours.search(uniform(rnd, 3, 4), uniform(rnd, 3, 5)));
        assertEquals("point dimensions differ: queries have 4 values, reference points 5", e.getMessage());
    }
}
