package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Lookup table (classes, dim) mapping integer labels (N) to vectors (N, dim). The lookup is a
 * one-hot row times the table, so per-example mode is just a per-example matrix product,
 * factored mode observes it as a {@link LinearMap}, and example b's gradient touches only the
 * rows of its own label(s).
 *
 * @param table name of the table parameter
 * @param classes number of rows (labels must lie in [0, classes))
 */
public record Embedding(String table, int classes) implements Layer {
    /** Table initialised Normal(0, 1), as torch.nn.Embedding. */
    public static Embedding create(ParameterStore s, String name, int classes, int dim) {
        s.normal(name + ".table", new Shape(classes, dim), 1.0);
        return new Embedding(name + ".table", classes);
    }

    /** @param labels integer labels, one per row (K*B rows, draw-major) */
    @Override
    public NDArray forward(Weights w, NDArray labels) {
        if (labels.getShape().dimension() != 1) {
            throw new IllegalArgumentException("embedding " + table + ": labels must be a vector, got " + labels.getShape());
        }
        NDArray oneHot = labels.toType(DataType.INT64, false).oneHot(classes).toType(DataType.FLOAT32, false);
        NDArray y = PerExample.matMul(w, oneHot, w.get(table), null);
        return w.perExample() ? y : w.observe(Linear.map(table, null), oneHot, y);
    }
}
