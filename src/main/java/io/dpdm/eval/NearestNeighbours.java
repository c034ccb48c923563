package io.dpdm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Torch;
import java.util.Arrays;

/**
 * Exact Euclidean nearest neighbours of every query point among reference points, by brute force
 * on the CPU through PyTorch's matrix product.
 *
 * <p>For a block of queries Q, ||q - r||^2 = ||q||^2 + ||r||^2 - 2 q.r, so ranking the
 * references needs only the block product Q R' plus ||r||^2 (||q||^2 is constant per row); one
 * float32 GEMM does almost all the work. Float32 and the cancellation in that expansion make the
 * ranking scores inexact by up to a few ulps of ||q||^2 + ||r||^2, so the {@value #CANDIDATES}
 * best-scoring references of each query are re-ranked by their distance computed directly in
 * double, and that exact distance is what is returned: a planted copy has distance exactly 0. The
 * returned neighbour can differ from the true one only when more than {@value #CANDIDATES}
 * references lie within that rounding band of the best, and then its distance is within the band
 * of the true minimum. Ties go to the lower reference index.
 */
public final class NearestNeighbours {
    static final int CANDIDATES = 8;
    /** Queries per block: the score block is QUERY_BLOCK x n floats (123 MB for n = 60,000). */
    private static final int QUERY_BLOCK = 512;

    /**
     * The result for m queries.
     *
     * @param index index of the nearest reference point of each query
     * @param distance its Euclidean distance (not squared)
     */
    public record Result(int[] index, double[] distance) {
        public Result {
            if (index.length != distance.length) {
                throw new IllegalArgumentException("index and distance lengths differ");
            }
        }
    }

    private NearestNeighbours() {}

    /** For each row of {@code queries}, the nearest row of {@code reference}. */
    public static Result search(RowMatrix queries, RowMatrix reference) {
        if (queries.cols() != reference.cols()) {
            throw new IllegalArgumentException("point dimensions differ: queries have " + queries.cols()
                    + " values, reference points " + reference.cols());
        }
        int m = queries.rows();
        int n = reference.rows();
        int d = queries.cols();
        int k = Math.min(CANDIDATES, n);
        int[] index = new int[m];
        double[] distance = new double[m];
        Torch.engine();
        try (NDManager base = NDManager.newBaseManager()) {
            NDArray ref = base.create(reference.values(), new Shape(n, d));
            NDArray refT = ref.transpose();
            NDArray refNorm = ref.square().sum(new int[] {1}).reshape(1, n);
            for (int start = 0; start < m; start += QUERY_BLOCK) {
                int rows = Math.min(QUERY_BLOCK, m - start);
                long[] candidates;
                try (NDManager step = base.newSubManager()) {
                    float[] block = Arrays.copyOfRange(queries.values(), start * d, (start + rows) * d);
                    NDArray q = step.create(block, new Shape(rows, d));
                    NDArray scores = q.matMul(refT).muli(-2).addi(refNorm);
                    NDList best = scores.topK(k, 1, false, false);
                    candidates = best.get(1).toLongArray();
                }
                for (int r = 0; r < rows; r++) {
                    int query = start + r;
                    int bestIndex = -1;
                    double bestSq = Double.POSITIVE_INFINITY;
                    for (int c = 0; c < k; c++) {
                        int candidate = (int) candidates[r * k + c];
                        double sq = queries.squaredDistance(query, reference, candidate);
                        if (sq < bestSq || (sq == bestSq && candidate < bestIndex)) {
                            bestSq = sq;
                            bestIndex = candidate;
                        }
                    }
                    index[query] = bestIndex;
                    distance[query] = Math.sqrt(bestSq);
                }
            }
        }
        return new Result(index, distance);
    }
}
