package io.dpdm.sample;

/** Receives sampler progress, counted in solver steps over all batches. */
@FunctionalInterface
public interface SamplingProgress {
    SamplingProgress NONE = (done, total) -> {};

    void update(long stepsDone, long stepsTotal);
}
