package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.DpSgdState;
import io.dpdm.dp.Ema;
import io.dpdm.dp.ExampleRandomness;
import io.dpdm.dp.Optimizer;
import io.dpdm.dp.PoissonSampler;
import io.dpdm.dp.StepReport;
import io.dpdm.nn.Lanes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The non-private twin of DP-SGD for comparison runs (epsilon = inf): Poisson batches from the
 * SAMPLING stream, per-example draws from the same {@link io.dpdm.dp.ExampleRandomness} and the
 * same divisor N q, but the ordinary batch gradient (one shared copy of the weights, no clipping,
 * no noise), so with the same keys any difference to a private run is due to clipping and noise.
 */
final class NonPrivateStep implements StepEngine {
    private final Map<String, NDArray> params;
    private final Optimizer optimizer;
    private final Ema ema;
    private final DpRandom random;
    private final PoissonSampler sampler;
    private final int microBatchSize;
    private long step;

    NonPrivateStep(Map<String, NDArray> params, Optimizer optimizer, Ema ema, DpRandom random, PoissonSampler sampler,
            int microBatchSize) {
        this.params = params;
        this.optimizer = optimizer;
        this.ema = ema;
        this.random = random;
        this.sampler = sampler;
        this.microBatchSize = microBatchSize;
    }

    @Override
    public StepReport step(DenoisingSource source) {
        long t = step;
        int[] batch = sampler.sample(random, t);
        ExampleRandomness examples = random.examples(t);
        step++;
        NDManager base = params.values().iterator().next().getManager();
        try (NDScope scope = new NDScope();
                NDManager stepManager = base.newSubManager()) {
            scope.suppressNotUsedWarning();
            Map<String, NDArray> sum = new LinkedHashMap<>();
            params.forEach((name, p) -> sum.put(name, stepManager.zeros(p.getShape(), p.getDataType())));
            int passes = Lanes.addInPasses(sum, batch, microBatchSize, (part, m) -> source.batch(part, examples, m));
            float divisor = (float) sampler.expectedBatchSize();
            sum.values().forEach(g -> g.divi(divisor));
            optimizer.update(sum);
            ema.update();
            return new StepReport(t, batch.length, passes, 0, 0); // nothing clipped
        }
    }

    @Override
    public long steps() {
        return step;
    }

    @Override
    public Ema ema() {
        return ema;
    }

    @Override
    public DpSgdState state() {
        return new DpSgdState(step, optimizer.steps(), ema.updates());
    }

    @Override
    public Map<String, NDArray> stateArrays() {
        Map<String, NDArray> out = new LinkedHashMap<>(optimizer.stateArrays());
        out.putAll(ema.stateArrays());
        return out;
    }

    @Override
    public void restore(DpSgdState state, Map<String, NDArray> arrays) {
        optimizer.restore(state.optimizerSteps(), arrays);
        ema.restore(state.emaUpdates(), arrays);
        step = state.step();
    }
}
