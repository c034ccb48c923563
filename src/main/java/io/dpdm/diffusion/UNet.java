package io.dpdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Activation;
import io.dpdm.nn.Conv2d;
import io.dpdm.nn.Embedding;
import io.dpdm.nn.FlopCount;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.GroupNorm;
import io.dpdm.nn.Linear;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.SelfAttention;
import io.dpdm.nn.Weights;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * The DDPM++ U-Net denoiser backbone F(c_in x, c_noise [, label]) as DPDM configures it (NCSN++ with
 * BigGAN residual blocks, Song et al. 2021; DPDM, Dockhorn et al. 2023, appendix): the layout of
 * {@link UNetLayout}, residual blocks of {@link ResidualBlock}, single-head attention
 * ({@link SelfAttention}), SiLU, GroupNorm with min(C/4, 32) groups.
 *
 * <p>Conditioning: e = [sin(c f), cos(c f)] with nf/2 frequencies f_i = 10000^(-i/(nf/2 - 1)) of
 * c_noise (the DDPM "positional" embedding); a conditional network adds a learned class vector
 * (table of numClasses + 1 rows, the last meaning "no class"); temb = Dense(act(Dense(e))), 4 nf
 * wide, enters every residual block.
 *
 * <p>All layers read their weights from the {@link Weights} of the pass, so the same instance runs
 * with shared weights and with per-example (expanded) weights; rows are draw-major.
 */
public final class UNet implements Backbone {
    /** One step of the body: activation in, activation out, with access to temb and the skips. */
    @FunctionalInterface
    private interface Stage {
        NDArray apply(Weights w, NDArray h, NDArray actEmbedding, Deque<NDArray> skips);
    }

    private final UNetConfig config;
    private final float[] frequencies;
    private final Embedding classes;
    private final Linear embed0;
    private final Linear embed1;
    private final Conv2d input;
    private final List<Stage> body;
    private final GroupNorm headNorm;
    private final Conv2d head;
    /** With patches: a 3x3 convolution across patch borders on the image, added to the output. */
    private final Conv2d seam;

    private UNet(UNetConfig config, ParameterStore s) {
        this.config = config;
        int nf = config.baseChannels();
        int temb = 4 * nf;
        frequencies = new float[nf / 2];
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = (float) Math.exp(-i * Math.log(10000) / (frequencies.length - 1));
        }
        classes = config.conditional() ? Embedding.create(s, "classes", config.numClasses() + 1, nf) : null;
        embed0 = Linear.create(s, "embed0", nf, temb);
        embed1 = Linear.create(s, "embed1", temb, temb);
        int patchChannels = config.channels() * config.patchSize() * config.patchSize();
        input = Conv2d.create(s, "input", patchChannels, nf, 3);
        body = new ArrayList<>();
        List<UNetLayout.Step> steps = UNetLayout.steps(config.gridSize(), nf, config.channelMultipliers(),
                config.resBlocks(), config.attentionResolutions());
        int ch = nf;
        for (int i = 0; i < steps.size(); i++) {
            String name = "body" + i;
            if (steps.get(i) instanceof UNetLayout.Residual r) {
                ResidualBlock block = ResidualBlock.create(s, name, r.in(), r.out(), r.resample(), temb, config.dropout());
                body.add(r.concatSkip()
                        ? (w, h, e, skips) -> block.forward(w, h.concat(skips.pop(), 1), e)
                        : (w, h, e, skips) -> block.forward(w, h, e));
                ch = r.out();
            } else if (steps.get(i) instanceof UNetLayout.Attention a) {
                SelfAttention attention = SelfAttention.create(s, name, a.channels());
                body.add((w, h, e, skips) -> attention.forward(w, h));
            } else {
                body.add((w, h, e, skips) -> {
                    skips.push(h);
                    return h;
                });
            }
        }
        headNorm = GroupNorm.create(s, "head.norm", ch);
        head = Conv2d.create(s, "head.conv", ch, patchChannels, 3, 1, 1, 1, true, 0);
        // Each patch's pixels come from one grid position, so the output can show p x p blocks; a
        // residual 3x3 convolution on the image (starting at ~0) lets the network smooth them.
        seam = config.patchSize() > 1
                ? Conv2d.create(s, "seam.conv", config.channels(), config.channels(), 3, 1, 1, 1, false, 0) : null;
    }

    /** Declares all parameters of a network with {@code config} in {@code store} and returns it. */
    public static UNet create(ParameterStore store, UNetConfig config) {
        return new UNet(config, store);
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * Analytic FLOPs of one image's forward pass ({@link FlopCount}: convolutions, dense layers,
     * attention products), counted on a throwaway copy of the network.
     */
    public static long forwardFlops(UNetConfig config) {
        try (ParameterStore store = new ParameterStore(0); NDManager m = store.manager().newSubManager()) {
            UNet net = create(store, config);
            NDArray x = m.zeros(new Shape(1, config.channels(), config.imageSize(), config.imageSize()));
            NDArray cNoise = m.zeros(new Shape(1));
            NDArray label = config.conditional() ? m.create(new int[] {0}) : null;
            return FlopCount.of(() -> Gradients.forward(m, store, 1, 1, w -> net.apply(w, x, cNoise, label)));
        }
    }

    @Override
    public NDArray apply(Weights w, NDArray xIn, NDArray cNoise, NDArray classLabels) {
        Shape s = xIn.getShape();
        if (s.dimension() != 4 || s.get(1) != config.channels() || s.get(2) != config.imageSize()
                || s.get(3) != config.imageSize()) {
            throw new IllegalArgumentException("U-Net input must be (rows, " + config.channels() + ", "
                    + config.imageSize() + ", " + config.imageSize() + "), got " + s);
        }
        long rows = s.get(0);
        if (!cNoise.getShape().equals(new Shape(rows))) {
            throw new IllegalArgumentException("U-Net needs one c_noise per row (" + rows + "), got " + cNoise.getShape());
        }
        NDArray e = sinusoidal(w, cNoise);
        if (classes != null) {
            e = e.add(classes.forward(w, checkedLabels(classLabels, rows)));
        } else if (classLabels != null) {
            throw new IllegalArgumentException("class labels given to an unconditional U-Net (numClasses = 0)");
        }
        NDArray actEmbedding = Activation.SILU.forward(w,
                embed1.forward(w, Activation.SILU.forward(w, embed0.forward(w, e))));
        Deque<NDArray> skips = new ArrayDeque<>();
        NDArray h = input.forward(w, toPatches(xIn, config.patchSize()));
        skips.push(h);
        for (Stage stage : body) {
            NDArray in = h;
            h = scoped(in, skips, () -> stage.apply(w, in, actEmbedding, skips));
        }
        // The last stage's output escaped its scope; hand it to the caller's scope (if any) again.
        NDScope.register(h);
        NDArray out = fromPatches(head.forward(w, headNorm.forwardSilu(w, h)),
                config.channels(), config.patchSize());
        return seam == null ? out : out.add(seam.forward(w, out));
    }

    /**
     * (N, C, H, W) -> (N, C p^2, H/p, W/p): pixel (y, x) of channel c goes to channel
     * (c p + y % p) p + x % p at grid position (y / p, x / p).
     */
    static NDArray toPatches(NDArray x, int p) {
        if (p == 1) {
            return x;
        }
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long gh = s.get(2) / p;
        long gw = s.get(3) / p;
        return x.reshape(n, c, gh, p, gw, p).transpose(0, 1, 3, 5, 2, 4).reshape(n, c * p * p, gh, gw);
    }

    /** The inverse of {@link #toPatches}: (N, C p^2, h, w) -> (N, C, h p, w p). */
    static NDArray fromPatches(NDArray y, int channels, int p) {
        if (p == 1) {
            return y;
        }
        Shape s = y.getShape();
        long n = s.get(0);
        long gh = s.get(2);
        long gw = s.get(3);
        return y.reshape(n, channels, p, p, gh, gw).transpose(0, 1, 4, 2, 5, 3).reshape(n, channels, gh * p, gw * p);
    }

    /**
     * Runs one stage and closes its temporaries, its input (unless kept as a skip) and any skip it
     * consumed. DJL frees an array only when it is closed, so without this a pass would hold every
     * intermediate of the network until its manager closes (tens of MB per row at 28x28); autograd
     * keeps its own references to what backward needs, so closing the Java handles is safe.
     */
    private static NDArray scoped(NDArray in, Deque<NDArray> skips, Supplier<NDArray> stage) {
        List<NDArray> before = List.copyOf(skips);
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = stage.get();
            NDScope.unregister(out);
        }
        if (out != in && !holds(skips, in)) {
            in.close();
        }
        for (NDArray consumed : before) {
            if (consumed != out && !holds(skips, consumed)) {
                consumed.close();
            }
        }
        return out;
    }

    private static boolean holds(Deque<NDArray> skips, NDArray a) {
        return skips.stream().anyMatch(s -> s == a);
    }

    /** [sin(c f), cos(c f)], (rows, nf). */
    private NDArray sinusoidal(Weights w, NDArray cNoise) {
        NDArray f = w.manager().create(frequencies).reshape(1, frequencies.length);
        NDArray angles = cNoise.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(f);
        return NDArrays.concat(new ai.djl.ndarray.NDList(angles.sin(), angles.cos()), 1);
    }

    private NDArray checkedLabels(NDArray labels, long rows) {
        if (labels == null) {
            throw new IllegalArgumentException("a class-conditional U-Net (numClasses = " + config.numClasses()
                    + ") needs a label per row; use " + config.numClasses() + " for \"no class\"");
        }
        if (!labels.getShape().equals(new Shape(rows))) {
            throw new IllegalArgumentException("U-Net needs one label per row (" + rows + "), got " + labels.getShape());
        }
        for (long label : labels.toType(DataType.INT64, false).toLongArray()) {
            if (label < 0 || label > config.numClasses()) {
                throw new IllegalArgumentException("class label " + label + " is outside [0, " + config.numClasses()
                        + "] (" + config.numClasses() + " = no class)");
            }
        }
        return labels;
    }
}
