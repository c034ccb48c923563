package io.dpdm.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Memorisation audit of a synthetic set: how close is each synthetic image to its nearest
 * training image, compared with how close real images the model never saw (the test set) are to
 * their nearest training image? A model that copies training images produces synthetic images
 * far closer to the training set than unseen real images ever are.
 *
 * <p>The reference threshold is the 1st percentile of the test-to-train distances (linear
 * interpolation between order statistics, numpy's default). A synthetic image is <em>flagged</em>
 * when its distance is strictly below that threshold or exactly 0 (an exact copy is flagged even
 * if the test set itself happens to contain a copy of a training image, which makes the threshold
 * 0). DP bounds what any one training image can change in the model; this audit is an empirical
 * check that complements it, not a privacy guarantee.
 *
 * <p>Distances are Euclidean, in whatever space the rows live in: pixels (images flattened to
 * C*H*W values in [-1, 1]) or the features of a network, named by {@code space}.
 *
 * @param space the space the distances are measured in, e.g. "pixels"
 * @param syntheticToTrain distance of each synthetic point to its nearest training point
 * @param syntheticNearest index of that training point
 * @param testToTrain distance of each test point to its nearest training point
 * @param threshold the 1st percentile of testToTrain
 * @param fractionBelowThreshold fraction of synthetic points strictly closer than threshold
 * @param exactCopies number of synthetic points at distance 0 from a training point
 * @param flagged indices of flagged synthetic points, closest first
 * @param closestPairs the synthetic/training pairs with the smallest distances, closest first
 */
public record MemorisationAudit(
        String space,
        double[] syntheticToTrain,
        int[] syntheticNearest,
        double[] testToTrain,
        double threshold,
        double fractionBelowThreshold,
        int exactCopies,
        int[] flagged,
        List<ClosePair> closestPairs) {

    /** The reference percentile (in percent) of test-to-train distances. */
    public static final double REFERENCE_PERCENTILE = 1.0;

    /** One synthetic point and its nearest training point. */
    public record ClosePair(int syntheticIndex, int trainIndex, double distance) {}

    public MemorisationAudit {
        if (space == null || space.isBlank()) {
            throw new IllegalArgumentException("space: expected a name such as \"pixels\"");
        }
        if (syntheticToTrain.length != syntheticNearest.length) {
            throw new IllegalArgumentException("syntheticToTrain and syntheticNearest lengths differ");
        }
        closestPairs = List.copyOf(closestPairs);
    }

    /**
     * Runs the audit.
     *
     * @param space name of the space the rows live in ("pixels", "classifier features", ...)
     * @param train the private training points
     * @param synthetic the generated points
     * @param test real points not used for training (the reference distribution)
     * @param pairs how many closest synthetic/training pairs to keep
     */
    public static MemorisationAudit run(String space, RowMatrix train, RowMatrix synthetic, RowMatrix test, int pairs) {
        if (pairs < 0) {
            throw new IllegalArgumentException("pairs: expected >= 0, got " + pairs);
        }
        NearestNeighbours.Result fromSynthetic = NearestNeighbours.search(synthetic, train);
        NearestNeighbours.Result fromTest = NearestNeighbours.search(test, train);
        double[] distance = fromSynthetic.distance();
        double threshold = percentile(fromTest.distance(), REFERENCE_PERCENTILE);
        Integer[] order = IntStream.range(0, distance.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> distance[i]).thenComparingInt(i -> i));
        long below = Arrays.stream(distance).filter(x -> x < threshold).count();
        int copies = (int) Arrays.stream(distance).filter(x -> x == 0).count();
        int[] flagged = Arrays.stream(order).mapToInt(Integer::intValue)
                .filter(i -> distance[i] < threshold || distance[i] == 0).toArray();
        List<ClosePair> closest = new ArrayList<>();
        for (int r = 0; r < Math.min(pairs, order.length); r++) {
            int i = order[r];
            closest.add(new ClosePair(i, fromSynthetic.index()[i], distance[i]));
        }
        return new MemorisationAudit(space, distance, fromSynthetic.index(), fromTest.distance(), threshold,
                (double) below / distance.length, copies, flagged, closest);
    }

    /** The p-th percentile (0..100) with linear interpolation between order statistics (numpy default). */
    static double percentile(double[] values, double p) {
        if (values.length == 0 || !(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile: expected values and 0 <= p <= 100, got p = " + p);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
