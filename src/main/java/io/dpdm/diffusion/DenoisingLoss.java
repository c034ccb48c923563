package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Weights;
import java.util.random.RandomGenerator;

/**
 * The per-example denoising loss with noise multiplicity (DPDM, Dockhorn et al. 2023, with
 * the reference code's pixel mean): for example b,
 * loss_b = (1/K) sum_k lambda(sigma_kb) mean_pixels (D(x_b' + sigma_kb n_kb; sigma_kb, c_b) - x_b')^2
 * where x_b' is draw k's view of x_b (the example itself unless augmentation is on). The result
 * is unreduced over examples, exactly what per-example clipping needs.
 *
 * <p>Random draws come from the pass's {@link BatchRandomness}: classifier-free guidance label
 * dropout from example b's generator, one uniform shared by its K draws (only when numClasses > 0
 * and labelDropout > 0); then from the generator of (b, k), in this order: the augmented view
 * when enabled, sigma, and one standard normal per pixel. So example b's loss is a function of
 * its own image, label and generators alone, whatever its position or its batch mates. Rows are
 * draw-major (row = k * B + b), the layout of {@link Weights}. Temporaries belong to {@code w.manager()} and
 * to {@code x0}'s manager: run each step inside an NDScope or a per-step manager.
 *
 * @param model the preconditioned network
 * @param noise the training distribution of sigma
 * @param draws K, noise draws per example (>= 1; DPDM uses 32)
 * @param numClasses number of classes, 0 = unconditional; index numClasses means "no class"
 * @param labelDropout probability that an example's label becomes "no class" (DPDM: 0.1)
 * @param augmentation per-draw views (default {@link Augmentation#NONE})
 */
public record DenoisingLoss(Preconditioned model, NoiseDistribution noise, int draws, int numClasses,
        double labelDropout, Augmentation augmentation) {
    public DenoisingLoss {
        if (model == null || noise == null || augmentation == null) {
            throw new IllegalArgumentException("model, noise and augmentation must not be null");
        }
        if (draws < 1) {
            throw new IllegalArgumentException("draws (noise multiplicity K) must be >= 1, got " + draws);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0 (0 = unconditional), got " + numClasses);
        }
        if (!(labelDropout >= 0 && labelDropout <= 1)) {
            throw new IllegalArgumentException("labelDropout must be in [0, 1], got " + labelDropout);
        }
    }

    /**
     * The same loss over {@code d} draws: a pass that holds d of an example's K draws (the K-draw
     * loss is the d-weighted mean of its passes' losses).
     */
    public DenoisingLoss withDraws(int d) {
        return new DenoisingLoss(model, noise, d, numClasses, labelDropout, augmentation);
    }

    /**
     * One loss per example.
     *
     * @param w parameters of this pass; must have examples() = B and draws() = K
     * @param x0 clean images (B, C, H, W)
     * @param labels class per example (length B), or null when numClasses = 0
     * @param randomness the per-example generators of this pass, for B examples and K draws
     * @return float32 of shape (B)
     */
    public NDArray perExample(Weights w, NDArray x0, int[] labels, BatchRandomness randomness) {
        Shape shape = x0.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("x0 must be (B, C, H, W), got " + shape);
        }
        int b = Math.toIntExact(shape.get(0));
        if (w.examples() != b || w.draws() != draws) {
            throw new IllegalArgumentException("weights are for " + w.examples() + " examples x " + w.draws()
                    + " draws, the batch has " + b + " examples x " + draws + " draws");
        }
        if (randomness.examples() != b || randomness.draws() != draws) {
            throw new IllegalArgumentException("randomness is for " + randomness.examples() + " examples x "
                    + randomness.draws() + " draws, the batch has " + b + " examples x " + draws + " draws");
        }
        int rows = draws * b;
        NDManager m = w.manager();
        NDArray rowLabels = rowLabels(m, labels, b, randomness);
        NDArray clean = augmentation.enabled()
                ? m.create(augmentation.views(x0.toFloatArray(), b, (int) shape.get(1), (int) shape.get(2),
                        (int) shape.get(3), draws, randomness::row),
                        new Shape(rows, shape.get(1), shape.get(2), shape.get(3)))
                : x0.tile(new long[] {draws, 1, 1, 1}); // whole-batch copies: draw-major
        double[] sigma = new double[rows];
        int pixels = Math.toIntExact(shape.size() / b);
        float[] n = new float[rows * pixels];
        for (int r = 0; r < rows; r++) {
            RandomGenerator g = randomness.row(r);
            sigma[r] = noise.sample(g);
            for (int i = r * pixels; i < (r + 1) * pixels; i++) {
                n[i] = (float) g.nextGaussian();
            }
        }
        NDArray noisy = clean.add(m.create(n, clean.getShape()).mul(Preconditioned.column(m, sigma, s -> s, 4)));
        NDArray denoised = model.apply(w, noisy, sigma, rowLabels);
        NDArray perRow = denoised.sub(clean).square().reshape(rows, -1).mean(new int[] {1})
                .mul(Preconditioned.perRow(m, sigma, model.preconditioning()::lossWeight));
        return perRow.reshape(draws, b).mean(new int[] {0});
    }

    /** Labels tiled to K*B rows after dropout decided once per example; null if unconditional. */
    private NDArray rowLabels(NDManager m, int[] labels, int b, BatchRandomness randomness) {
        if (numClasses == 0) {
            if (labels != null) {
                throw new IllegalArgumentException("labels given to an unconditional loss (numClasses = 0)");
            }
            return null;
        }
        if (labels == null || labels.length != b) {
            throw new IllegalArgumentException("need " + b + " labels for a conditional loss, got "
                    + (labels == null ? "none" : labels.length));
        }
        int[] rows = new int[draws * b];
        for (int e = 0; e < b; e++) {
            if (labels[e] < 0 || labels[e] >= numClasses) {
                throw new IllegalArgumentException(
                        "label " + labels[e] + " of example " + e + " is outside [0, " + numClasses + ")");
            }
            int kept = labelDropout > 0 && randomness.example(e).nextDouble() < labelDropout ? numClasses : labels[e];
            for (int k = 0; k < draws; k++) {
                rows[k * b + e] = kept;
            }
        }
        return m.create(rows);
    }
}
