package io.dpdm.eval;

/**
 * A dense row-major matrix of float values: n points (images flattened to C*H*W values, or
 * feature vectors) of dimension dim. Row-major float is the layout DJL arrays and IDX images
 * already have, so no copy or conversion is needed on the way in.
 *
 * @param values rows one after another, length rows * cols; owned by the record, not copied
 * @param rows number of points (at least 1)
 * @param cols dimension of each point (at least 1)
 */
public record RowMatrix(float[] values, int rows, int cols) {
    public RowMatrix {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("matrix shape: expected rows >= 1 and cols >= 1, got "
                    + rows + " x " + cols);
        }
        if (values == null || (long) rows * cols != values.length) {
            throw new IllegalArgumentException("matrix values: expected " + (long) rows * cols
                    + " (" + rows + " x " + cols + "), got " + (values == null ? "none" : values.length));
        }
    }

    /** Copies equally long rows into one matrix. */
    public static RowMatrix of(float[][] rows) {
        if (rows == null || rows.length == 0 || rows[0] == null) {
            throw new IllegalArgumentException("matrix rows: expected at least one row");
        }
        int cols = rows[0].length;
        float[] values = new float[Math.multiplyExact(rows.length, cols)];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != cols) {
                throw new IllegalArgumentException("matrix row " + i + ": expected length " + cols);
            }
            System.arraycopy(rows[i], 0, values, i * cols, cols);
        }
        return new RowMatrix(values, rows.length, cols);
    }

    /** A copy of row i. */
    public float[] row(int i) {
        float[] out = new float[cols];
        System.arraycopy(values, i * cols, out, 0, cols);
        return out;
    }

    /** The exact squared Euclidean distance (in double) between row i of this and row j of other. */
    public double squaredDistance(int i, RowMatrix other, int j) {
        double s = 0;
        int a = i * cols;
        int b = j * other.cols;
        for (int k = 0; k < cols; k++) {
            double diff = (double) values[a + k] - other.values[b + k];
            s += diff * diff;
        }
        return s;
    }
}
