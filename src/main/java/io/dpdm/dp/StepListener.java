package io.dpdm.dp;

/**
 * Told of every logical DP-SGD step exactly once, with the parameters of the sampled Gaussian
 * mechanism it runs; the training loop wires it to the privacy ledger. Called BEFORE any data of
 * the step is touched, so a listener that throws (for instance, because the budget would be
 * exceeded) stops the step with nothing released.
 */
@FunctionalInterface
public interface StepListener {
    /**
     * @param sampleRate q, the Poisson sampling rate of this step
     * @param noiseMultiplier sigma, noise std divided by the clipping norm
     */
    void onLogicalStep(double sampleRate, double noiseMultiplier);
}
