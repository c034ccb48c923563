package io.dpdm.diffusion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The sequence of blocks of the DDPM++ U-Net (NCSN++ with BigGAN residual blocks, Song et al.
 * 2021, as configured by DPDM) after the input convolution, as plain channel arithmetic. It is
 * written once and used both to validate a {@link UNetConfig} and to build the {@link UNet}.
 *
 * <p>Down path, per level: {@code resBlocks} residual blocks (each followed by attention at the
 * attention resolutions), each pushing a skip; then, except at the last level, a down-sampling
 * block that also pushes. Middle: residual, attention, residual. Up path, levels reversed:
 * {@code resBlocks + 1} residual blocks, each consuming a skip by concatenation; then attention
 * once at the attention resolutions; then, except at level 0, an up-sampling block.
 */
final class UNetLayout {
    private UNetLayout() {}

    enum Resample { NONE, DOWN, UP }

    /** One step of the network body. */
    sealed interface Step permits Residual, Attention, Push {}

    /**
     * A residual block from {@code in} to {@code out} channels; when {@code concatSkip}, {@code in}
     * already counts the channels of the skip concatenated to the input.
     */
    record Residual(int in, int out, Resample resample, boolean concatSkip) implements Step {}

    /** Self-attention over the positions of a {@code channels}-channel map. */
    record Attention(int channels) implements Step {}

    /** Keep the current activation as a skip connection for the up path. */
    record Push() implements Step {}

    /**
     * The body after the input convolution (whose output, {@code nf} channels, is the first skip).
     * Arguments are those of {@link UNetConfig}; they are assumed individually valid.
     */
    static List<Step> steps(int imageSize, int nf, List<Integer> mult, int resBlocks, List<Integer> attention) {
        List<Step> steps = new ArrayList<>();
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(nf);
        int ch = nf;
        int resolution = imageSize;
        int last = mult.size() - 1;
        for (int level = 0; level <= last; level++) {
            for (int b = 0; b < resBlocks; b++) {
                steps.add(new Residual(ch, nf * mult.get(level), Resample.NONE, false));
                ch = nf * mult.get(level);
                if (attention.contains(resolution)) {
                    steps.add(new Attention(ch));
                }
                steps.add(new Push());
                skips.push(ch);
            }
            if (level != last) {
                steps.add(new Residual(ch, ch, Resample.DOWN, false));
                steps.add(new Push());
                skips.push(ch);
                resolution /= 2;
            }
        }
        steps.add(new Residual(ch, ch, Resample.NONE, false));
        steps.add(new Attention(ch));
        steps.add(new Residual(ch, ch, Resample.NONE, false));
        for (int level = last; level >= 0; level--) {
            for (int b = 0; b <= resBlocks; b++) {
                steps.add(new Residual(ch + skips.pop(), nf * mult.get(level), Resample.NONE, true));
                ch = nf * mult.get(level);
            }
            if (attention.contains(resolution)) {
                steps.add(new Attention(ch));
            }
            if (level != 0) {
                steps.add(new Residual(ch, ch, Resample.UP, false));
                resolution *= 2;
            }
        }
        return steps;
    }

    /** The DDPM++ group count for a normalised width: min(C/4, 32). */
    static int groups(int channels) {
        return Math.min(channels / 4, 32);
    }
}
