package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/** Per-example gradients held as (B, ...parameter shape) arrays. */
final class MaterialisedGradients implements PerExampleGradients {
    private final Map<String, NDArray> perExample;
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private final int examples;

    /** @param perExample each (examples, ...parameter shape) */
    MaterialisedGradients(Map<String, NDArray> perExample, int examples) {
        this.perExample = Map.copyOf(perExample);
        this.examples = examples;
        perExample.forEach((name, g) -> {
            Shape s = g.getShape();
            if (s.dimension() == 0 || s.get(0) != examples) {
                throw new IllegalArgumentException("per-example gradient of " + name + " has shape " + s
                        + ", expected " + examples + " rows");
            }
            shapes.put(name, s.slice(1));
        });
    }

    @Override
    public int examples() {
        return examples;
    }

    @Override
    public Map<String, Shape> shapes() {
        return shapes;
    }

    @Override
    public NDArray squaredNorms(String name) {
        // one fused pass over the B x P rows: square().sum() wrote all B x P squares first
        return rows(get(name)).norm(new int[] {1}).square();
    }

    @Override
    public NDArray weightedSum(String name, float[] weights) {
        NDArray rows = rows(get(name));
        NDArray w = rows.getManager().create(weights, new Shape(1, weights.length));
        return w.matMul(finiteUnlessAllWeighted(rows, weights)).reshape(shapes.get(name));
    }

    private NDArray get(String name) {
        NDArray g = perExample.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no per-example gradient for parameter " + name);
        }
        return g;
    }

    private static NDArray rows(NDArray g) {
        return g.reshape(g.getShape().get(0), -1);
    }

    /**
     * Zeroes the non-finite values of {@code a} when some weight is 0 (NaN * 0 is NaN). Only
     * examples with weight 0 can hold them (the clipper gives a non-finite example weight 0), so
     * the other examples are unchanged.
     */
    static NDArray finiteUnlessAllWeighted(NDArray a, float[] weights) {
        for (float w : weights) {
            if (w == 0) {
                return NDArrays.where(a.isNaN().logicalOr(a.isInfinite()).logicalNot(), a, a.zerosLike());
            }
        }
        return a;
    }
}
