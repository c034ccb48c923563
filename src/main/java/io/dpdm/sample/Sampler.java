package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dpdm.diffusion.Denoiser;
import java.util.Arrays;

/**
 * Generates images: for each batch, x = sigma_max z, then one {@link Solver} step per grid level
 * down to 0, then clipping to [-1, 1]. Each step's temporaries are freed at the end of the step,
 * so memory is bounded by the batch size, not by the number of steps.
 */
public final class Sampler {
    private final SamplerSettings settings;
    private final NDManager manager;

    /**
     * @param settings grid, solver and guidance
     * @param manager parent of the per-batch managers (e.g. the model's); left empty afterwards
     */
    public Sampler(SamplerSettings settings, NDManager manager) {
        if (settings == null || manager == null) {
            throw new IllegalArgumentException("sampler needs settings and a manager");
        }
        this.settings = settings;
        this.manager = manager;
    }

    /**
     * @return count * C * H * W floats in [-1, 1], image-major in seed order
     */
    public float[] sample(Denoiser denoiser, SampleJob job, SamplingProgress progress) {
        if (settings.guidance() > 0 && job.numClasses() == 0) {
            throw new IllegalArgumentException("guidance weight " + settings.guidance()
                    + " needs a class-conditional model (numClasses = 0)");
        }
        Denoiser d = settings.guidance() > 0
                ? new GuidedDenoiser(denoiser, settings.guidance(), job.numClasses())
                : denoiser;
        double[] t = settings.grid().sigmas();
        int steps = settings.grid().steps();
        int batches = (job.count() + job.batchSize() - 1) / job.batchSize();
        long done = 0;
        float[] out = new float[job.count() * job.imageSize()];
        for (int start = 0; start < job.count(); start += job.batchSize()) {
            int end = Math.min(job.count(), start + job.batchSize());
            int[] labels = job.labels() == null ? null : Arrays.copyOfRange(job.labels(), start, end);
            ImageNoise noise = new ImageNoise(Arrays.copyOfRange(job.seeds(), start, end),
                    new Shape(job.channels(), job.height(), job.width()));
            try (NDManager batch = manager.newSubManager()) {
                NDArray x = noise.next(batch).mul(t[0]);
                for (int i = 0; i < steps; i++) {
                    try (NDScope scope = new NDScope()) { // frees everything the step allocates
                        scope.suppressNotUsedWarning();
                        NDArray next = settings.solver().step(d, x, t[i], t[i + 1], steps, labels, noise);
                        NDScope.unregister(next);
                        x.close();
                        x = next;
                    }
                    progress.update(++done, (long) batches * steps);
                }
                float[] images = x.clip(-1, 1).toFloatArray();
                System.arraycopy(images, 0, out, start * job.imageSize(), images.length);
            }
        }
        return out;
    }
}
