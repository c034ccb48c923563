package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.PerExampleGradients;
import java.nio.FloatBuffer;
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
 *       logical batch, in float32 ({@link #release}; one draw for all parameters, in the
 *       constructor's order, started by {@link #noise} on a background thread);
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
    private final int parameterCount;
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
        this.parameterCount = Math.toIntExact(shapes.values().stream().mapToLong(Shape::size).sum());
        shapes.forEach((name, shape) -> sums.put(name, manager.zeros(shape, DataType.FLOAT32)));
    }

    /** Steps 1-3: clip the micro-batch's per-example gradients and add them. */
    public void accumulate(PerExampleGradients perExample) {
        add(clip(perExample));
    }

    /**
     * Steps 2-3 on one part of a micro-batch: each example's clip factor from the norms of the
     * very gradients that are then weighted and summed. Changes nothing in this object, so the
     * parts of a micro-batch are clipped concurrently in their lanes; the sums live in the
     * gradients' manager. Only {@link #add} puts them into the batch's sum.
     */
    ClippedPart clip(PerExampleGradients perExample) {
        requireOpen();
        Map<String, Shape> given = perExample.shapes();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            Shape s = given.get(e.getKey());
            if (s == null) {
                throw new IllegalArgumentException("per-example gradient missing for parameter " + e.getKey());
            }
            if (!s.equals(e.getValue())) {
                throw new IllegalArgumentException("per-example gradient of " + e.getKey() + " has shape " + s
                        + ", expected " + e.getValue());
            }
        }
        if (given.size() != shapes.size()) {
            throw new IllegalArgumentException("per-example gradients for unknown parameters: "
                    + given.keySet().stream().filter(k -> !shapes.containsKey(k)).toList());
        }
        int batch = perExample.examples();
        if (batch == 0) {
            return new ClippedPart(Map.of(), new double[0][]);
        }
        List<String> names = List.copyOf(shapes.keySet());
        double[][] factors = clipper.factors(perExample.squaredNorms(names));
        Map<String, NDArray> clipped = new LinkedHashMap<>();
        for (int layer = 0; layer < names.size(); layer++) {
            float[] weights = new float[batch];
            for (int b = 0; b < batch; b++) {
                weights[b] = (float) factors[layer][b];
            }
            NDArray sum = perExample.weightedSum(names.get(layer), weights);
            if (sum.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("per-example gradient of " + names.get(layer) + " is "
                        + sum.getDataType() + ", expected float32");
            }
            clipped.put(names.get(layer), sum);
        }
        return new ClippedPart(clipped, factors);
    }

    /**
     * Step 3: adds a part clipped by {@link #clip} to the batch's sum. Callers add the parts in
     * batch order, so the float sum does not depend on which lane finished first.
     */
    void add(ClippedPart part) {
        requireOpen();
        part.sums().forEach((name, sum) -> sums.get(name).addi(sum));
        countExamples(part.factors(), part.examples());
    }

    /**
     * The clipped sum of one part's examples, per parameter, with their clip factors
     * [layer][example]. Made only by {@link #clip}, so nothing unclipped can be added.
     */
    record ClippedPart(Map<String, NDArray> sums, double[][] factors) {
        int examples() {
            return factors.length == 0 ? 0 : factors[0].length;
        }
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
     * Starts drawing step 4's noise, N(0, (sigma C)^2) for every coordinate in the constructor's
     * order, from {@code noise} (the NOISE stream of this logical step) on a background thread,
     * so that it overlaps the per-example gradients; pass the result to {@link #release}.
     */
    public StepNoise noise(DpRandom.Stream noise, double noiseMultiplier) {
        if (!(noiseMultiplier >= 0 && Double.isFinite(noiseMultiplier))) {
            throw new IllegalArgumentException("noise multiplier must be finite and >= 0, got " + noiseMultiplier);
        }
        return StepNoise.start(noise, noiseMultiplier * clipper.clipNorm(), parameterCount);
    }

    /** Steps 4-5: (clipped sum + the step's noise) / (N q), per parameter. */
    public Map<String, NDArray> release(StepNoise noise, double expectedBatchSize) {
        requireOpen();
        if (!(expectedBatchSize > 0 && Double.isFinite(expectedBatchSize))) {
            throw new IllegalArgumentException("expected batch size must be > 0, got " + expectedBatchSize);
        }
        if (noise.size() != parameterCount) {
            throw new IllegalArgumentException("noise of " + noise.size() + " values for " + parameterCount
                    + " parameters");
        }
        released = true;
        float[] z = noise.values();
        Map<String, NDArray> out = new LinkedHashMap<>();
        int offset = 0;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            int size = Math.toIntExact(e.getValue().size());
            NDArray noisy = sums.get(e.getKey()).addi(manager.create(FloatBuffer.wrap(z, offset, size), e.getValue()));
            out.put(e.getKey(), noisy.divi((float) expectedBatchSize));
            offset += size;
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
