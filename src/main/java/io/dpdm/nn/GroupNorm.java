package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Group normalisation (Wu and He 2018) of (N, C, ...) with a per-channel gain and shift.
 * Statistics are per row, so they never mix examples; only the affine part has parameters
 * (per-example (B, C) in per-example mode). Normalisation uses the fused layer-norm kernel on
 * (N, G, C/G * spatial) with unit gain and zero shift.
 *
 * @param gain name of the gain parameter (C), initialised to ones
 * @param shift name of the shift parameter (C), initialised to zeros
 * @param groups number of channel groups
 * @param eps variance epsilon
 */
public record GroupNorm(String gain, String shift, int groups, float eps) implements Layer {
    public GroupNorm {
        if (groups < 1 || !(eps > 0)) {
            throw new IllegalArgumentException("group norm " + gain + ": groups must be >= 1 and eps > 0");
        }
    }

    /** The DDPM++ setting: min(C/4, 32) groups, eps 1e-6. */
    public static GroupNorm create(ParameterStore s, String name, int channels) {
        return create(s, name, channels, Math.min(channels / 4, 32), 1e-6f);
    }

    public static GroupNorm create(ParameterStore s, String name, int channels, int groups, float eps) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("group norm " + name + ": " + channels + " channels not divisible into " + groups + " groups");
        }
        s.ones(name + ".gain", new Shape(channels));
        s.zeros(name + ".shift", new Shape(channels));
        return new GroupNorm(name + ".gain", name + ".shift", groups, eps);
    }

    /**
     * SiLU(this(x)), the pre-activation of every DDPM++ convolution. In inference passes it is
     * PyTorch's fused group norm and SiLU (two kernels, one module call) instead of the five
     * passes over the activations that the layer-norm, affine and x * sigmoid(x) chain takes.
     */
    public NDArray forwardSilu(Weights w, NDArray x) {
        if (!w.inference()) {
            return Activation.SILU.forward(w, forward(w, x));
        }
        return Fused.GROUP_NORM_SILU.forward(w.manager(), x, w.get(gain), w.get(shift), (long) groups, (double) eps);
    }

    /** Compiled once per process, on first use; it lives as long as the process, with its manager. */
    private static final class Fused {
        static final TorchScript GROUP_NORM_SILU = TorchScript.compile(Torch.engine().newBaseManager(), "GroupNormSilu",
                "x: Tensor, gain: Tensor, shift: Tensor, groups: int, eps: float", "Tensor",
                "return torch.silu(torch.group_norm(x, groups, gain, shift, eps))");
    }

    @Override
    public NDArray forward(Weights w, NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long perGroup = s.size() / (n * groups);
        NDArray unitGain = w.manager().ones(new Shape(perGroup));
        NDArray zeroShift = w.manager().zeros(new Shape(perGroup));
        NDArray normalised = ai.djl.nn.norm.LayerNorm.layerNorm(x.reshape(n, groups, perGroup), new Shape(perGroup),
                unitGain, zeroShift, eps).singletonOrThrow();
        NDArray xHat = normalised.reshape(s);
        NDArray y = PerExample.channelAffine(w, xHat, w.get(gain), w.get(shift));
        return w.perExample() ? y : w.observeAffine(new ChannelAffineMap(gain, shift), xHat, y);
    }
}
