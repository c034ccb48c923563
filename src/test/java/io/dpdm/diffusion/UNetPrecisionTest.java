package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.dp.Clipper;
import io.dpdm.dp.Clipping;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.PerExampleGradients;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The U-Net with bfloat16 convolutions and products: its per-example gradients against the
 * float32 ones, and the privacy rule of clipping, checked on the vectors as they are summed.
 */
class UNetPrecisionTest {
    private static final int B = 4;
    private static final int K = 2;
    /** Patch size 2, attention at the 2x2 level, 16 base channels: every layer kind the presets use. */
    private static final UNetConfig CONFIG = new UNetConfig(8, 1, 16, List.of(1, 2), 1, List.of(2), 0, 3, 2);
    /**
     * Each product rounds its operands to 8 significant bits (2^-9 = 0.2% relative), and the
     * activations and their gradients between products are bfloat16 too; through the network's ~20
     * products forward and again backward the per-example gradients measured 1.8-1.9% from float32
     * (1.4-2.1% when each product's result was cast back to float32). 5% leaves that room; a gradient that mixed examples or ran a wrong kernel
     * would be off by tens of percent (see BlockedConvolution).
     */
    private static final double AGREEMENT = 0.05;
    /** float32 sums and norms over a few thousand entries: relative errors near 1e-6. */
    private static final double NORM_TOLERANCE = 1e-5;

    private ParameterStore store;
    private NDManager manager;
    private Preconditioned denoiser;
    private NDArray images;
    private final int[] labels = {2, 0, 1, 1};

    @BeforeEach
    void network() {
        store = new ParameterStore(21);
        manager = Torch.engine().newBaseManager();
        UNet net = UNet.create(store, CONFIG);
        store.asMap().forEach((name, p) -> p.addi(manager.randomNormal(0, 0.05f, p.getShape(), p.getDataType())));
        denoiser = new Preconditioned(net, new Preconditioning.Edm());
        images = manager.randomUniform(-1, 1, new Shape(B, 1, 8, 8));
    }

    @AfterEach
    void close() {
        manager.close();
        store.close();
    }

    /**
     * A sampling pass (no gradients) keeps bfloat16 activations from the first (few-tap) product
     * through attention to the last convolution, and returns float32 denoised images within
     * bfloat16's rounding of float32's: measured 0.4% (relative L2); 2% leaves room for other
     * CPUs, while any wrong kernel or lost term would be tens of percent.
     */
    @Test
    void bfloat16SamplingPassAgreesWithFloat32() {
        double[] sigma = {0.05, 0.5, 2, 20};
        NDArray noisy = images.add(manager.randomNormal(new Shape(B, 1, 8, 8)).mul(manager.create(sigma,
                new Shape(B)).reshape(B, 1, 1, 1).toType(DataType.FLOAT32, false)));
        float[][] out = new float[2][];
        for (Precision p : new Precision[] {Precision.FP32, Precision.BF16}) {
            store.usePrecision(p);
            NDArray y = Gradients.forward(manager, store, B, 1, w -> denoiser.apply(w, noisy, sigma, manager.create(labels)));
            assertEquals(DataType.FLOAT32, y.getDataType());
            out[p == Precision.FP32 ? 0 : 1] = y.toFloatArray();
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < out[0].length; i++) {
            diff += Math.pow(out[1][i] - out[0][i], 2);
            norm += Math.pow(out[0][i], 2);
        }
        double relative = Math.sqrt(diff / norm);
        assertTrue(relative <= 0.02, "bf16 sampling pass " + relative + " from float32");
        assertTrue(relative > 1e-4, "bf16 sampling pass equals float32's (" + relative + ")");
    }

    /** Every example's gradient (B, ...) for the same images and draws, in {@code precision}. */
    private Map<String, NDArray> perExample(Precision precision) {
        return perExample(precision, K);
    }

    private Map<String, NDArray> perExample(Precision precision, int draws) {
        store.usePrecision(precision);
        DenoisingLoss loss = new DenoisingLoss(denoiser, new NoiseDistribution.LogNormal(-1.2, 1.2), draws, 3, 0,
                Augmentation.NONE);
        return Gradients.perExample(manager, store, B, draws, null,
                w -> loss.perExample(w, images, labels, BatchRandomness.seeded(9, B, draws)));
    }

    /** K 1 as the presets train: their 3x3 convolutions form weight gradients after the backward pass (Conv2d). */
    @ParameterizedTest
    @ValueSource(ints = {1, K})
    void bfloat16PerExampleGradientsAgreeWithFloat32(int draws) {
        Map<String, NDArray> single = perExample(Precision.FP32, draws);
        Map<String, NDArray> half = perExample(Precision.BF16, draws);
        for (int b = 0; b < B; b++) {
            double difference = 0;
            double norm = 0;
            for (String name : single.keySet()) {
                difference += half.get(name).get(b).sub(single.get(name).get(b)).square().sum().getFloat();
                norm += single.get(name).get(b).square().sum().getFloat();
            }
            double relative = Math.sqrt(difference / norm);
            assertTrue(relative <= AGREEMENT, "example " + b + ": bf16 gradient " + relative + " from float32");
            // rounding to bfloat16 must show: an identical gradient would mean float32 ran
            assertTrue(relative > 1e-4, "example " + b + ": bf16 gradient equals float32's (" + relative + ")");
        }
    }

    /**
     * Clipping as PrivateGradient does it (Clipper's factors from the squared norms, then the
     * weighted sum), with C below every example's norm: each example's contribution, summed alone,
     * has norm C within float32 rounding, measured on the summed vector itself. The same check
     * fails when the norms come from the float32 gradients and the sum from the bfloat16 ones,
     * so it would catch clipping and summing on different representations.
     */
    @Test
    void clippedBfloat16ContributionsHaveNormAtMostCAsSummed() {
        PerExampleGradients half = PerExampleGradients.of(perExample(Precision.BF16));
        PerExampleGradients single = PerExampleGradients.of(perExample(Precision.FP32));
        List<String> names = new ArrayList<>(half.shapes().keySet());
        double[][] squares = half.squaredNorms(names);
        double smallest = Double.MAX_VALUE;
        for (int b = 0; b < B; b++) {
            double total = 0;
            for (double[] layer : squares) {
                total += layer[b];
            }
            smallest = Math.min(smallest, Math.sqrt(total));
        }
        double clip = 0.1 * smallest;
        Clipper clipper = new Clipper(Clipping.FLAT, clip);
        double worstMismatch = 0;
        for (int b = 0; b < B; b++) {
            double norm = contributionNorm(half, names, clipper.factors(squares), b);
            assertTrue(norm <= clip * (1 + NORM_TOLERANCE), "example " + b + ": clipped norm " + norm + " > C " + clip);
            assertEquals(clip, norm, clip * NORM_TOLERANCE, "example " + b + " was not clipped to C");
            double mismatched = contributionNorm(half, names, clipper.factors(single.squaredNorms(names)), b);
            worstMismatch = Math.max(worstMismatch, Math.abs(mismatched / clip - 1));
        }
        assertTrue(worstMismatch > 10 * NORM_TOLERANCE,
                "norms of the float32 gradients clip the bfloat16 ones to C too closely (" + worstMismatch
                        + "): the check could not tell the representations apart");
    }

    /** || sum over parameters of factor[b] * example b's gradient ||, with every other example weighted 0. */
    private static double contributionNorm(PerExampleGradients g, List<String> names, double[][] factors, int b) {
        double squared = 0;
        for (int l = 0; l < names.size(); l++) {
            float[] weights = new float[B];
            weights[b] = (float) factors[l][b];
            for (float v : g.weightedSum(names.get(l), weights).toFloatArray()) {
                squared += (double) v * v;
            }
        }
        return Math.sqrt(squared);
    }
}
