package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The private gradient of ONE logical batch, built by the five steps of DP-SGD (Abadi et al.
 * 2016, Algorithm 1, in the Opacus formulation), in this order and nowhere else:
 *
 * <ol>
 *   <li>per-example gradients g_i of the sampled examples arrive, one physical micro-batch at a
 *       time ({@link #accumulate});
 *   <li>each is clipped: g_i * min(1, C / (||g_i|| + 1e-6)) (or per layer, see {@link Clipping});
 *       a non-finite g_i is replaced by 0;
 *   <li>the clipped gradients are summed; sums accumulate across micro-batches, so splitting a
 *       logical batch changes nothing but memory;
 *   <li>Gaussian noise N(0, (sigma C)^2) is added to every coordinate of the sum, ONCE per
 *       logical batch, in float32 ({@link #release});
 *   <li>the noisy sum is divided by the EXPECTED batch size N q, not by the actual size |B|:
 *       under Poisson sampling |B| changes by one when an example is added or removed, and it is
 *       not privatised, so dividing by it would leak membership and break the sensitivity
 *       analysis; the accountants analyse (sum + noise) divided by a public constant
 *       (Opacus issue 420). It also makes an empty batch well defined (pure noise / (N q)).
 * </ol>
 *
 * <p>Lifecycle: accumulate 0..n times, then release exactly once. The object refuses to release
 * twice or to accumulate after release: noisy gradients are never reused and noise is never
 * added twice. Arrays live in the manager given at construction (close it after the update).
 */
public final class PrivateGradient {
    private final Clipper clipper;
    private final Map<String, Shape> shapes;
    private final Map<String, NDArray> sums = new LinkedHashMap<>();
    private final NDManager manager;
    private boolean released;
    private int examples;
    private int clippedExamples;
    private int nonFiniteExamples;

    /**
     * @param shapes every parameter's name and shape, in a fixed iteration order (noise is drawn
     *     in this order)
     * @param clipper clipping mode and norm C
     * @param manager owner of the sums and of the released gradient
     */
    public PrivateGradient(Map<String, Shape> shapes, Clipper clipper, NDManager manager) {
        if (shapes.isEmpty()) {
            throw new IllegalArgumentException("no parameters to train");
        }
        this.clipper = clipper;
        this.shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
        this.manager = manager;
        shapes.forEach((name, shape) -> sums.put(name, manager.zeros(shape, DataType.FLOAT32)));
    }

    /** Steps 1-3: clip the micro-batch's per-example gradients (each (B, ...shape)) and add them. */
    public void accumulate(Map<String, NDArray> perExample) {
        requireOpen();
        List<NDArray> grads = new ArrayList<>(shapes.size());
        long batch = -1;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            NDArray g = perExample.get(e.getKey());
            if (g == null) {
                throw new IllegalArgumentException("per-example gradient missing for parameter " + e.getKey());
            }
            Shape s = g.getShape();
            batch = batch < 0 ? s.get(0) : batch;
            if (s.dimension() == 0 || s.get(0) != batch || !s.slice(1).equals(e.getValue())) {
                throw new IllegalArgumentException("per-example gradient of " + e.getKey() + " has shape " + s
                        + ", expected (" + batch + ", " + e.getValue() + ")");
            }
            if (g.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("per-example gradient of " + e.getKey() + " is "
                        + g.getDataType() + ", expected float32");
            }
            grads.add(g);
        }
        if (perExample.size() != shapes.size()) {
            throw new IllegalArgumentException("per-example gradients for unknown parameters: "
                    + perExample.keySet().stream().filter(k -> !shapes.containsKey(k)).toList());
        }
        if (batch == 0) {
            return;
        }
        double[][] factors = clipper.factors(grads);
        int layer = 0;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            sums.get(e.getKey()).addi(Clipper.clippedSum(grads.get(layer), factors[layer], e.getValue()));
            layer++;
        }
        countExamples(factors, (int) batch);
    }

    private void countExamples(double[][] factors, int batch) {
        examples += batch;
        for (int b = 0; b < batch; b++) {
            boolean zero = true;
            boolean clipped = false;
            for (double[] layer : factors) {
                zero &= layer[b] == 0;
                clipped |= layer[b] < 1;
            }
            nonFiniteExamples += zero ? 1 : 0;
            clippedExamples += clipped && !zero ? 1 : 0;
        }
    }

    /**
     * Steps 4-5: (clipped sum + N(0, (sigma C)^2)) / (N q), per parameter, in the constructor's
     * order, the noise read from {@code noise} (the NOISE stream of this logical step).
     */
    public Map<String, NDArray> release(DpRandom.Stream noise, double noiseMultiplier, double expectedBatchSize) {
        requireOpen();
        if (!(noiseMultiplier >= 0 && Double.isFinite(noiseMultiplier))) {
            throw new IllegalArgumentException("noise multiplier must be finite and >= 0, got " + noiseMultiplier);
        }
        if (!(expectedBatchSize > 0 && Double.isFinite(expectedBatchSize))) {
            throw new IllegalArgumentException("expected batch size must be > 0, got " + expectedBatchSize);
        }
        released = true;
        double std = noiseMultiplier * clipper.clipNorm();
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            float[] z = new float[Math.toIntExact(e.getValue().size())];
            noise.fillGaussian(z, std);
            NDArray noisy = sums.get(e.getKey()).addi(manager.create(z, e.getValue()));
            out.put(e.getKey(), noisy.divi((float) expectedBatchSize));
        }
        return Collections.unmodifiableMap(out);
    }

    private void requireOpen() {
        if (released) {
            throw new IllegalStateException("this logical batch's private gradient was already released; "
                    + "start a new PrivateGradient for the next step");
        }
    }

    /** Examples accumulated so far (the actual logical batch size). */
    public int examples() {
        return examples;
    }

    /**
     * Examples whose gradient was scaled down. Diagnostic only: it depends on the private data
     * and is NOT covered by the DP guarantee, so never publish it.
     */
    public int clippedExamples() {
        return clippedExamples;
    }

    /** Examples zeroed for a non-finite gradient. Diagnostic only, like {@link #clippedExamples}. */
    public int nonFiniteExamples() {
        return nonFiniteExamples;
    }
}
