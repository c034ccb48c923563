package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import io.dpdm.dp.DpSgd;
import io.dpdm.dp.DpSgdState;
import io.dpdm.dp.Ema;
import io.dpdm.dp.StepReport;
import java.util.Map;

/**
 * One logical training step over the live parameters, private ({@link DpSgd}) or not
 * ({@link NonPrivateStep}), with the optimizer and EMA state a checkpoint needs.
 */
interface StepEngine {
    /** Runs step t = {@link #steps()} with the loss of {@code source}. */
    StepReport step(DenoisingSource source);

    long steps();

    Ema ema();

    DpSgdState state();

    /** Optimizer and EMA arrays by name (live). */
    Map<String, NDArray> stateArrays();

    void restore(DpSgdState state, Map<String, NDArray> arrays);

    /** The DP-SGD engine itself: per-example gradients, clipping, noise. */
    static StepEngine of(DpSgd dp) {
        return new StepEngine() {
            @Override
            public StepReport step(DenoisingSource source) {
                return dp.step(source::perExample);
            }

            @Override
            public long steps() {
                return dp.steps();
            }

            @Override
            public Ema ema() {
                return dp.ema();
            }

            @Override
            public DpSgdState state() {
                return dp.state();
            }

            @Override
            public Map<String, NDArray> stateArrays() {
                return dp.stateArrays();
            }

            @Override
            public void restore(DpSgdState state, Map<String, NDArray> arrays) {
                dp.restore(state, arrays);
            }
        };
    }
}
