package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import io.dpdm.data.ImageGrid;
import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.Denoiser;
import io.dpdm.diffusion.Preconditioned;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.sample.NoiseGrid;
import io.dpdm.sample.SampleJob;
import io.dpdm.sample.Sampler;
import io.dpdm.sample.SamplerSettings;
import io.dpdm.sample.Solver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Progress pictures during training: a PNG grid with one row per class, drawn from the EMA
 * weights with a cheap deterministic sampler (EDM Heun, 18 levels, no guidance). Image seeds
 * are fixed (0, 1, ...), so successive grids show the same noise being denoised by a better
 * model. Sampling is post-processing of the private weights and costs no privacy.
 */
final class SampleGrid implements AutoCloseable {
    static final int PER_CLASS = 8;
    private static final SamplerSettings SETTINGS = new SamplerSettings(NoiseGrid.edm(18), new Solver.Heun(), 0);

    private final ParameterStore weights;
    private final Preconditioned model;
    private final ImageShape shape;
    private final List<String> classNames;
    private final int numClasses;

    /**
     * @param like a store of the trained network (copied once: sampling runs on its own copy)
     * @param classNames class names, index order; empty for an unconditional model
     */
    SampleGrid(ParameterStore like, Preconditioned model, ImageShape shape, List<String> classNames) {
        this.weights = like.copy();
        this.model = model;
        this.shape = shape;
        this.numClasses = classNames.size();
        this.classNames = numClasses == 0 ? List.of("samples") : classNames;
    }

    /** Samples with {@code ema} (copied into this grid's own store) and writes {@code png}. */
    void write(Path png, Map<String, NDArray> ema) {
        ema.forEach((name, w) -> w.copyTo(weights.get(name)));
        int rows = classNames.size();
        int count = rows * PER_CLASS;
        int[] gridLabels = new int[count];
        for (int i = 0; i < count; i++) {
            gridLabels[i] = i / PER_CLASS;
        }
        SampleJob job = new SampleJob(SampleJob.seedRange(0, count), numClasses == 0 ? null : gridLabels, numClasses,
                shape.channels(), shape.height(), shape.width(), Math.min(count, 2 * PER_CLASS));
        Denoiser denoiser = (x, sigma, labels) -> Gradients.forward(x.getManager(), weights, sigma.length, 1,
                w -> model.apply(w, x, sigma, labels == null ? null : w.manager().create(labels)));
        float[] images = new Sampler(SETTINGS, weights.manager()).sample(denoiser, job, (done, total) -> { });
        ImageGrid.write(png, shape, images, gridLabels, classNames, PER_CLASS, 2);
    }

    @Override
    public void close() {
        weights.close();
    }
}
