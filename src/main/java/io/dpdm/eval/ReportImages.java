package io.dpdm.eval;

import java.util.ArrayList;
import java.util.List;

/** Pictures for the report that are made from image arrays. */
public final class ReportImages {
    private static final int PAIRS_PER_ROW = 4;
    private static final int SCALE = 2;

    private ReportImages() {}

    /**
     * The closest synthetic/training pairs of an audit in pixel space as one PNG: pairs side by
     * side (synthetic left, its nearest training image right), {@value #PAIRS_PER_ROW} pairs per
     * row, closest first. Rows of both matrices are images of shape channels x height x width with
     * values in [-1, 1].
     */
    public static byte[] closestPairs(MemorisationAudit audit, RowMatrix synthetic, RowMatrix train,
                                      int channels, int height, int width) {
        if (audit.closestPairs().isEmpty()) {
            throw new IllegalArgumentException("closest pairs: the audit kept no pairs (pairs = 0)");
        }
        List<float[]> cells = new ArrayList<>();
        for (MemorisationAudit.ClosePair pair : audit.closestPairs()) {
            cells.add(synthetic.row(pair.syntheticIndex()));
            cells.add(train.row(pair.trainIndex()));
        }
        return PngGrid.render(cells, channels, height, width, 2 * PAIRS_PER_ROW, SCALE, 2);
    }
}
