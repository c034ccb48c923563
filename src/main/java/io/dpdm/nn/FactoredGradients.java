package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-example gradients of a factored pass (Opacus' hook method, with Bu et al.'s mixed ghost
 * clipping): for every observed {@link LinearMap}, example b's input rows A_b (n x in) and output
 * gradient rows G_b (n x out), n = K * rows per activation, determine its weight gradient
 * A_b^T G_b (a {@link ChannelAffineMap}'s gradients are per-channel sums, always materialised).
 * Per linear map the cheaper of two exact routes is taken:
 *
 * <ul>
 *   <li>materialise the B gradients with one batched product (cost ~ n * in * out per example),
 *       as expanded weights would, then clip and sum them (a map with a kernel of its own
 *       ({@link LinearMap#direct}) forms them from its input, without the rows);
 *   <li>ghost norm (Goodfellow 2015, Li et al. 2022): ||A^T G||^2 = sum_{r,s} (A A^T)_rs (G G^T)_rs
 *       (cost ~ n^2 (in + out)), and the weighted sum over examples as one product
 *       A^T diag(w) G over all rows, so the B gradients never exist (e.g. a dense layer on one
 *       row per example: ||a|| ||g||).
 * </ul>
 * Bias gradients (the row sums of G) are always materialised: they are small.
 */
final class FactoredGradients implements PerExampleGradients {
    /** Ghost-norm factors of one weight: A (B, n, in), G (B, n, out). */
    private record Ghost(NDArray a, NDArray g, boolean outputFirst) {
        NDArray squares() {
            NDArray aa = a.batchMatMul(a.transpose(0, 2, 1));
            NDArray gg = g.batchMatMul(g.transpose(0, 2, 1));
            return aa.mul(gg).sum(new int[] {1, 2});
        }

        NDArray weightedSum(float[] weights, Shape shape) {
            long b = weights.length;
            NDArray scale = g.getManager().create(weights, new Shape(b, 1, 1));
            NDArray rowsIn = MaterialisedGradients.finiteUnlessAllWeighted(a, weights).reshape(-1, a.getShape().get(2));
            NDArray rowsOut = MaterialisedGradients.finiteUnlessAllWeighted(g, weights).mul(scale)
                    .reshape(-1, g.getShape().get(2));
            NDArray sum = outputFirst ? rowsOut.transpose().matMul(rowsIn) : rowsIn.transpose().matMul(rowsOut);
            return sum.reshape(shape);
        }
    }

    private final int examples;
    private final Map<String, Shape> shapes;
    private final MaterialisedGradients dense;
    private final Map<String, Ghost> ghosts;

    private FactoredGradients(int examples, Map<String, Shape> shapes, Map<String, NDArray> dense,
            Map<String, Ghost> ghosts) {
        this.examples = examples;
        this.shapes = shapes;
        this.dense = new MaterialisedGradients(dense, examples);
        this.ghosts = ghosts;
    }

    /**
     * Forms the gradients after the backward pass of a {@link FactoredPass}; what they keep is
     * attached to {@code into} and survives the pass's scope.
     *
     * @param shapes every trained parameter; one no observed map uses gets a zero gradient
     */
    static FactoredGradients of(List<FactoredPass.Observation> observations, Map<String, Shape> shapes, int examples,
            int draws, NDManager into) {
        Map<String, NDArray> dense = new LinkedHashMap<>();
        Map<String, Ghost> ghosts = new HashMap<>();
        for (FactoredPass.Observation observation : observations) {
            if (observation instanceof FactoredPass.Affine o) {
                affine(o, examples, draws, into, dense);
                continue;
            }
            FactoredPass.Product o = (FactoredPass.Product) observation;
            LinearMap map = o.map();
            NDArray outputGradient = o.outputLeaf().getGradient();
            NDArray g = byExample(map.outputRows().apply(outputGradient), examples, draws);
            long n = g.getShape().get(1);
            long out = g.getShape().get(2);
            Shape weightShape = shapes.get(map.weight());
            long in = weightShape.size() / out;
            if (n * (in + out) < in * out) {
                NDArray a = byExample(map.inputRows().apply(o.input()), examples, draws);
                ghosts.put(map.weight(), new Ghost(keep(a, into), keep(g, into), map.outputFirst()));
            } else {
                dense.put(map.weight(), keep(materialised(o, outputGradient, g, weightShape, examples, draws), into));
            }
            if (map.bias() != null) {
                dense.put(map.bias(), keep(g.sum(new int[] {1}), into));
            }
        }
        shapes.forEach((name, shape) -> {
            if (!dense.containsKey(name) && !ghosts.containsKey(name)) {
                dense.put(name, into.zeros(new Shape(examples).addAll(shape)));
            }
        });
        return new FactoredGradients(examples, Collections.unmodifiableMap(new LinkedHashMap<>(shapes)), dense, ghosts);
    }

    /** The B weight gradients (B, ...weight): by the map's own kernel, or input rows^T x output rows g (B, n, out). */
    private static NDArray materialised(FactoredPass.Product o, NDArray outputGradient, NDArray g, Shape weight,
            int examples, int draws) {
        LinearMap map = o.map();
        if (map.direct() != null) {
            return map.direct().perExample(o.input(), outputGradient, examples, draws);
        }
        NDArray a = byExample(map.inputRows().apply(o.input()), examples, draws);
        NDArray perExample = map.outputFirst() ? g.transpose(0, 2, 1).batchMatMul(a) : a.transpose(0, 2, 1).batchMatMul(g);
        return perExample.reshape(new Shape(examples).addAll(weight));
    }

    /** d scale = sum x_hat * g and d shift = sum g over each example's draws and positions: (B, C) each. */
    private static void affine(FactoredPass.Affine o, int examples, int draws, NDManager into,
            Map<String, NDArray> dense) {
        NDArray g = o.outputLeaf().getGradient();
        long channels = g.getShape().get(1);
        Shape byExample = new Shape(draws, examples, channels, -1);
        NDArray gRows = g.reshape(byExample);
        int[] drawsAndPositions = {0, 3};
        dense.put(o.map().scale(), keep(o.normalised().reshape(byExample).mul(gRows).sum(drawsAndPositions), into));
        dense.put(o.map().shift(), keep(gRows.sum(drawsAndPositions), into));
    }

    /** Rows (K*B, r, d), draw-major, regrouped per example: (B, K*r, d). */
    private static NDArray byExample(NDArray rows, int examples, int draws) {
        if (draws == 1) {
            return rows;
        }
        Shape s = rows.getShape();
        return rows.reshape(draws, examples, s.get(1), s.get(2)).transpose(1, 0, 2, 3)
                .reshape(examples, draws * s.get(1), s.get(2));
    }

    private static NDArray keep(NDArray a, NDManager into) {
        a.attach(into);
        NDScope.unregister(a);
        return a;
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
        Ghost ghost = ghosts.get(name);
        return ghost != null ? ghost.squares() : dense.squaredNorms(name);
    }

    @Override
    public NDArray weightedSum(String name, float[] weights) {
        Ghost ghost = ghosts.get(name);
        return ghost != null ? ghost.weightedSum(weights, shapes.get(name)) : dense.weightedSum(name, weights);
    }
}
