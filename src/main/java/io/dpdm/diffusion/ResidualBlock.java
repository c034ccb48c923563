package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import io.dpdm.nn.Bfloat16;
import io.dpdm.nn.Conv2d;
import io.dpdm.nn.Dropout;
import io.dpdm.nn.GroupNorm;
import io.dpdm.nn.Layer;
import io.dpdm.nn.Linear;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Spatial;
import io.dpdm.nn.Torch;
import io.dpdm.nn.Weights;

/**
 * The DDPM++ "BigGAN" residual block (NCSN++ {@code ResnetBlockBigGANpp} with skip rescaling, no FIR
 * filters): h = act(GN0(x)); resample h and x (2x2 average pool down, nearest 2x up);
 * h = Conv0(h) + Dense0(act(temb)); h = Conv1(dropout(act(GN1(h)))); x = Conv2_1x1(x) when the
 * channels change or the block resamples; out = (x + h) / sqrt 2. Conv1 starts almost at zero,
 * so at initialisation the block is close to x / sqrt 2.
 *
 * @param resample the 2x down/up-sampling applied to both paths, or null for none
 * @param skip the 1x1 skip convolution, or null when the skip is the identity
 */
record ResidualBlock(GroupNorm norm0, Layer resample, Conv2d conv0, Linear embedding, GroupNorm norm1,
        Dropout dropout, Conv2d conv1, Conv2d skip) {
    static ResidualBlock create(ParameterStore s, String name, int in, int out, UNetLayout.Resample resample,
            int embeddingDim, double dropout) {
        Layer sampling = switch (resample) {
            case NONE -> null;
            case DOWN -> new Spatial.AvgPool2d(2);
            case UP -> Spatial.UPSAMPLE_NEAREST_2X;
        };
        return new ResidualBlock(
                GroupNorm.create(s, name + ".norm0", in),
                sampling,
                Conv2d.create(s, name + ".conv0", in, out, 3),
                Linear.create(s, name + ".dense0", embeddingDim, out),
                GroupNorm.create(s, name + ".norm1", out),
                new Dropout(dropout),
                Conv2d.create(s, name + ".conv1", out, out, 3, 1, 1, 1, true, 0),
                in != out || sampling != null ? Conv2d.create(s, name + ".skip", in, out, 1) : null);
    }

    /**
     * @param x activations (rows, in, H, W)
     * @param actEmbedding act(temb), (rows, embeddingDim)
     */
    NDArray forward(Weights w, NDArray x, NDArray actEmbedding) {
        NDArray h = norm0.forwardSilu(w, x);
        if (resample != null) {
            h = resample.forward(w, h);
            x = resample.forward(w, x);
        }
        h = conv0.forward(w, h);
        NDArray e = embedding.forward(w, actEmbedding);
        h = h.add(Bfloat16.like(h, e.reshape(e.getShape().get(0), e.getShape().get(1), 1, 1)));
        h = conv1.forward(w, dropout.forward(w, norm1.forwardSilu(w, h)));
        if (skip != null) {
            x = skip.forward(w, x);
        }
        // A native scalar: x.mul(float) on the gradient path reads freed memory (see Torch.scalar).
        return x.add(h).mul(Torch.scalar(w.manager(), Math.sqrt(0.5)));
    }
}
