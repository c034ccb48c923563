package io.dpdm.dp;

/**
 * The JSON-able part of a {@link DpSgd} checkpoint; the arrays come from
 * {@link DpSgd#stateArrays()}.
 *
 * @param step logical steps completed (the next step's index t)
 * @param optimizerSteps updates the optimizer has applied
 * @param emaUpdates updates the EMA has absorbed
 */
public record DpSgdState(long step, long optimizerSteps, long emaUpdates) {
    public DpSgdState {
        if (step < 0 || optimizerSteps < 0 || emaUpdates < 0) {
            throw new IllegalArgumentException("DP-SGD state counters must be >= 0, got step=" + step
                    + " optimizerSteps=" + optimizerSteps + " emaUpdates=" + emaUpdates);
        }
    }
}
