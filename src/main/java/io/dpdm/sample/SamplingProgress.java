package io.dpdm.sample;

/** Receives progress as (done, total): solver steps over all batches from {@link Sampler}, images from {@link SampleService}. */
@FunctionalInterface
public interface SamplingProgress {
    SamplingProgress NONE = (done, total) -> {};

    void update(long stepsDone, long stepsTotal);
}
