package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Lanes;
import io.dpdm.nn.PerExampleGradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The DP-SGD training step (Abadi et al. 2016, Algorithm 1, with Poisson sampling and the
 * expected-batch-size divisor as in Opacus and DPDM). One object keeps sampling, clipping, noise,
 * the ledger hook, the optimizer and the EMA consistent. Each {@link #step}:
 *
 * <ol>
 *   <li>Poisson-samples the logical batch of step t from the SAMPLING stream (may be empty);
 *   <li>calls the {@link StepListener} once with (q, sigma), before any data is touched;
 *   <li>splits the batch into physical micro-batches of at most {@code microBatchSize}, and for
 *       each asks the {@link GradientSource} for per-example gradients (with the step's
 *       {@link ExampleRandomness}, keyed by record, so micro-batching changes nothing; a
 *       micro-batch runs as {@link Lanes}, concurrent parts that together hold it, each clipped
 *       and summed in its lane), and adds the parts in order ({@link PrivateGradient} steps 1-3;
 *       an empty batch asks for nothing);
 *   <li>adds N(0, (sigma C)^2) from the NOISE stream of step t once (drawn on a background
 *       thread while the gradients are computed: {@link StepNoise}) and divides by N q (steps 4-5);
 *   <li>applies the optimizer to the live parameters, updates the EMA, and advances t.
 * </ol>
 *
 * <p>t advances as soon as the listener has accepted the step, even if a later part fails, so the
 * ledger never counts fewer steps than were run and no randomness of a counted step is reused by
 * a retry. Not thread-safe.
 */
public final class DpSgd {
    private final DpSgdConfig config;
    private final Map<String, NDArray> params;
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private final Optimizer optimizer;
    private final Ema ema;
    private final DpRandom random;
    private final StepListener listener;
    private final PoissonSampler sampler;
    private final Clipper clipper;
    private long step;

    /**
     * @param config the mechanism's settings
     * @param params the live trained parameters (e.g. the parameter store's asMap()), float32,
     *     updated in place; the iteration order fixes the order noise is drawn in
     * @param optimizer built over the same {@code params}
     * @param ema built over the same {@code params}
     * @param random the secret (or, voiding the guarantee, public) keys of sampling, noise and the
     *     per-example draws
     * @param listener the ledger hook
     */
    public DpSgd(DpSgdConfig config, Map<String, NDArray> params, Optimizer optimizer, Ema ema,
            DpRandom random, StepListener listener) {
        this.config = config;
        this.params = params;
        params.forEach((name, p) -> shapes.put(name, p.getShape()));
        this.optimizer = optimizer;
        this.ema = ema;
        this.random = random;
        this.listener = listener;
        this.sampler = new PoissonSampler(config.datasetSize(), config.sampleRate());
        this.clipper = new Clipper(config.clipping(), config.clipNorm());
    }

    /** Runs logical step t = {@link #steps()}. */
    public StepReport step(GradientSource source) {
        long t = step;
        int[] batch = sampler.sample(random, t);
        listener.onLogicalStep(config.sampleRate(), config.noiseMultiplier());
        step++;
        ExampleRandomness examples = random.examples(t);
        NDManager base = params.values().iterator().next().getManager();
        try (NDScope scope = new NDScope();
                NDManager stepManager = base.newSubManager()) {
            scope.suppressNotUsedWarning();
            PrivateGradient gradient = new PrivateGradient(shapes, clipper, stepManager);
            StepNoise noise = gradient.noise(random.stream(DpRandom.Purpose.NOISE, t), config.noiseMultiplier());
            List<int[]> microBatches = Lanes.passes(batch, config.microBatchSize());
            for (int[] microBatch : microBatches) {
                accumulate(source, microBatch, examples, gradient, base);
            }
            Map<String, NDArray> noisy = gradient.release(noise, sampler.expectedBatchSize());
            optimizer.update(noisy);
            ema.update();
            return new StepReport(t, batch.length, microBatches.size(), gradient.clippedExamples(),
                    gradient.nonFiniteExamples());
        }
    }

    /**
     * One physical micro-batch: its per-example gradients, clipped and summed per part in
     * {@link Lanes} (consecutive parts computed concurrently), then added part by part in order.
     */
    private static void accumulate(GradientSource source, int[] indices, ExampleRandomness examples,
            PrivateGradient gradient, NDManager base) {
        int[][] parts = Lanes.split(indices);
        List<NDManager> managers = new ArrayList<>(parts.length);
        try (NDScope microScope = new NDScope()) {
            microScope.suppressNotUsedWarning();
            List<Supplier<PrivateGradient.ClippedPart>> passes = new ArrayList<>(parts.length);
            for (int[] part : parts) {
                NDManager m = base.newSubManager();
                managers.add(m);
                passes.add(() -> gradient.clip(source.perExample(part, examples, m)));
            }
            List<PrivateGradient.ClippedPart> clipped = Lanes.all(passes);
            for (int p = 0; p < parts.length; p++) {
                if (clipped.get(p).examples() != parts[p].length) {
                    throw new IllegalStateException("gradient source returned " + clipped.get(p).examples()
                            + " per-example rows for a micro-batch of " + parts[p].length + " examples");
                }
                gradient.add(clipped.get(p));
            }
        } finally {
            managers.forEach(NDManager::close);
        }
    }

    /** Logical steps taken (= the index of the next one). */
    public long steps() {
        return step;
    }

    public DpSgdConfig config() {
        return config;
    }

    public Ema ema() {
        return ema;
    }

    /** The checkpoint record; pair it with {@link #stateArrays()}. The keys are the owner's to keep. */
    public DpSgdState state() {
        return new DpSgdState(step, optimizer.steps(), ema.updates());
    }

    /** Optimizer and EMA arrays by name (live; save, do not modify). */
    public Map<String, NDArray> stateArrays() {
        Map<String, NDArray> out = new LinkedHashMap<>(optimizer.stateArrays());
        out.putAll(ema.stateArrays());
        return out;
    }

    /**
     * Resumes from a checkpoint (the parameters themselves are restored by their owner, and the
     * {@link DpRandom} given to the constructor must be the run's own: its kept secret, or fresh
     * keys).
     */
    public void restore(DpSgdState state, Map<String, NDArray> arrays) {
        optimizer.restore(state.optimizerSteps(), arrays);
        ema.restore(state.emaUpdates(), arrays);
        step = state.step();
    }
}
