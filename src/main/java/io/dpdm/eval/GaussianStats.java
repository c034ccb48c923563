package io.dpdm.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Mean and covariance of a feature set: the Gaussian fitted to it for the Frechet distance.
 * The covariance uses the unbiased (n - 1) normaliser, as pytorch-fid (numpy.cov) does, so
 * statistics computed here and there agree. Statistics of a fixed data set can be cached with
 * {@link #write} / {@link #read}; JSON keeps every double exactly (shortest round-trip form).
 *
 * <p>The arrays are copied on construction; the accessors return the record's own arrays, which
 * callers must not modify.
 *
 * @param mean feature means, length d
 * @param cov covariance, d x d, symmetric
 * @param n number of samples the statistics were computed from (at least 2)
 */
public record GaussianStats(double[] mean, double[][] cov, long n) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public GaussianStats {
        if (mean == null || mean.length == 0) {
            throw new IllegalArgumentException("mean: expected a non-empty vector");
        }
        int d = mean.length;
        if (cov == null || cov.length != d) {
            throw new IllegalArgumentException(
                    "cov: expected " + d + " x " + d + " (the length of mean), got "
                            + (cov == null ? "none" : cov.length + " rows"));
        }
        if (n < 2) {
            throw new IllegalArgumentException("n: expected at least 2 samples, got " + n);
        }
        mean = mean.clone();
        double[][] copy = new double[d][];
        for (int i = 0; i < d; i++) {
            if (cov[i] == null || cov[i].length != d) {
                throw new IllegalArgumentException("cov row " + i + ": expected length " + d);
            }
            copy[i] = cov[i].clone();
        }
        cov = copy;
        double scale = 0;
        for (int i = 0; i < d; i++) {
            if (!Double.isFinite(mean[i])) {
                throw new IllegalArgumentException("mean[" + i + "]: expected a finite value, got " + mean[i]);
            }
            if (!(cov[i][i] >= 0) || !Double.isFinite(cov[i][i])) {
                throw new IllegalArgumentException(
                        "cov[" + i + "][" + i + "]: expected a finite variance >= 0, got " + cov[i][i]);
            }
            scale = Math.max(scale, cov[i][i]);
        }
        // Statistics written by other tools (numpy) may be symmetric only up to rounding.
        double tolerance = 1e-9 * Math.max(scale, Double.MIN_NORMAL);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                if (!Double.isFinite(cov[i][j]) || Math.abs(cov[i][j] - cov[j][i]) > tolerance) {
                    throw new IllegalArgumentException("cov[" + i + "][" + j + "]: expected a finite"
                            + " symmetric matrix, got " + cov[i][j] + " vs " + cov[j][i]);
                }
            }
        }
    }

    /** Feature dimension d. */
    public int dim() {
        return mean.length;
    }

    /** Statistics of the rows of an n x d feature matrix. */
    public static GaussianStats of(double[][] features) {
        Accumulator acc = new Accumulator(firstRowLength(features));
        for (double[] row : features) {
            acc.add(row);
        }
        return acc.build();
    }

    /** Statistics of the rows of an n x d feature matrix. */
    public static GaussianStats of(float[][] features) {
        Accumulator acc = new Accumulator(firstRowLength(features));
        for (float[] row : features) {
            acc.add(row);
        }
        return acc.build();
    }

    private static int firstRowLength(Object[] rows) {
        if (rows == null || rows.length < 2 || rows[0] == null) {
            throw new IllegalArgumentException("features: expected at least 2 rows");
        }
        return java.lang.reflect.Array.getLength(rows[0]);
    }

    /** Writes these statistics as JSON (keys mean, cov, n). */
    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new DpdmException("cannot write Gaussian statistics to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads statistics written by {@link #write}; a malformed file is a one-line DpdmException. */
    public static GaussianStats read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DpdmException("Gaussian statistics file not found: " + file);
        }
        try {
            return JSON.readValue(file.toFile(), GaussianStats.class);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            String detail = cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("");
            throw new DpdmException("invalid Gaussian statistics in " + file
                    + " (expected JSON with mean[d], cov[d][d], n >= 2): " + detail, e);
        }
    }

    /**
     * Streaming computation of mean and covariance, for features that arrive in batches.
     *
     * <p>Sums are taken of x - c with c the mean of the first block of rows: shifting by a value
     * close to the mean avoids the cancellation of the textbook E[xx'] - E[x]E[x]' form while
     * keeping one pass. Rows are buffered in blocks of {@value #BLOCK}; each block adds its
     * X'X to the scatter matrix with one cache-blocked parallel product (n d^2 multiply-adds).
     */
    public static final class Accumulator {
        private static final int BLOCK = 256;
        private final int d;
        private final double[][] block;
        private int buffered;
        private double[] shift;
        private final double[] sum;
        private final double[][] scatter;
        private long n;

        /** An empty accumulator for d features. */
        public Accumulator(int d) {
            if (d < 1) {
                throw new IllegalArgumentException("feature dimension: expected >= 1, got " + d);
            }
            this.d = d;
            this.block = new double[BLOCK][d];
            this.sum = new double[d];
            this.scatter = new double[d][d];
        }

        /** Adds one feature vector of length d. */
        public Accumulator add(double[] row) {
            double[] slot = slot(row == null ? -1 : row.length);
            System.arraycopy(row, 0, slot, 0, d);
            return commit();
        }

        /** Adds one feature vector of length d. */
        public Accumulator add(float[] row) {
            double[] slot = slot(row == null ? -1 : row.length);
            for (int j = 0; j < d; j++) {
                slot[j] = row[j];
            }
            return commit();
        }

        /** Adds the rows of a row-major n x d array (n = values.length / d). */
        public Accumulator addRows(float[] values) {
            if (values == null || values.length % d != 0) {
                throw new IllegalArgumentException("features: expected a multiple of " + d + " values");
            }
            for (int r = 0; r < values.length; r += d) {
                double[] slot = slot(d);
                for (int j = 0; j < d; j++) {
                    slot[j] = values[r + j];
                }
                commit();
            }
            return this;
        }

        private double[] slot(int length) {
            if (length != d) {
                throw new IllegalArgumentException("feature vector: expected length " + d + ", got " + length);
            }
            return block[buffered];
        }

        private Accumulator commit() {
            for (double v : block[buffered]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("feature vector " + (n + buffered)
                            + ": expected finite values, got " + v);
                }
            }
            if (++buffered == BLOCK) {
                flush();
            }
            return this;
        }

        private void flush() {
            int rows = buffered;
            if (rows == 0) {
                return;
            }
            if (shift == null) {
                shift = new double[d];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < d; j++) {
                        shift[j] += block[r][j] / rows;
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                double[] x = block[r];
                for (int j = 0; j < d; j++) {
                    x[j] -= shift[j];
                    sum[j] += x[j];
                }
            }
            double[][] x = rows == BLOCK ? block : java.util.Arrays.copyOf(block, rows);
            Dense.multiplyAdd(Dense.transpose(x, d), x, scatter);
            n += rows;
            buffered = 0;
        }

        /** Number of vectors added so far. */
        public long count() {
            return n + buffered;
        }

        /** The statistics of everything added so far (the accumulator stays usable). */
        public GaussianStats build() {
            flush();
            if (n < 2) {
                throw new IllegalArgumentException("features: expected at least 2 vectors, got " + n);
            }
            double[] mean = new double[d];
            double[][] cov = new double[d][d];
            for (int i = 0; i < d; i++) {
                mean[i] = shift[i] + sum[i] / n;
            }
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    double c = (scatter[i][j] - sum[i] * sum[j] / n) / (n - 1);
                    cov[i][j] = c;
                    cov[j][i] = c;
                }
            }
            return new GaussianStats(mean, cov, n);
        }
    }
}
