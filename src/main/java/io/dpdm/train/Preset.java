package io.dpdm.train;

import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.NoiseDistribution;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Clipping;
import io.dpdm.dp.KeyMode;
import io.dpdm.model.PublicModels;
import io.dpdm.nn.Precision;
import io.dpdm.privacy.Accountants;
import io.dpdm.warmstart.CentralImages;
import java.util.List;

/**
 * Named starting points for a training config, sized for the data set (image shape, classes)
 * and the privacy target. A config file and command-line flags are layered on top. The CPU
 * presets are what docs/EXPERIMENTS.md chose on a 2-core machine (rows named below).
 *
 * <ul>
 *   <li>{@link #PAPER}: DPDM's published 28x28 settings (Dockhorn et al. 2023, Table 8 and the
 *       reference code): DDPM++ nf 32 (1, 2, 2), 2 blocks, attention at 7; B 4096, 300 epochs,
 *       K 32, C 1, Adam lr 3e-4, EMA 0.999, label dropout 0.1; v-prediction with logSNR-uniform
 *       sigma for epsilon &lt; 1 (DPDM's choice at 0.2: high-noise training), EDM with the
 *       log-normal sigma otherwise (epsilon 1 and 10). No warm start. Needs GPUs or days of CPU.
 *       Physical passes of 2 examples x 32 draws ({@link PassSize}: 64 rows for this network;
 *       one example per lane makes the per-example convolutions ordinary ones).
 *   <li>{@link #CPU}: an hour on 2 cores for the whole demo. The CPU recipe (rows X1-X8, C3, L2b, C4):
 *       a patch-2 U-Net (nf 16, levels at 14 and 7 for 28x28 images, attention at 7: 4.5x cheaper
 *       per step than nf 16 on pixels), started from a shipped public model of another data set
 *       ({@link PublicModels}: for Fashion-MNIST the one trained on garments rendered from public
 *       icon and emoji drawings, rows FG1-FG2, CNN 78.1-79.8 where MNIST's gave 74.1-75.2, C7-C9
 *       and FB1; MNIST's for any other 28x28 gray 10-class data; for MNIST the one trained on
 *       digits rendered from fonts, rows FD1-FD2, CNN 95.0-95.4 where Fashion-MNIST's gave
 *       93.5-94.1, MN4-MN13, and did so pre-trained 3x longer, PM1), half of the training noise
 *       levels log-uniform on [1, 80],
 *       then DP-SGD with K 1, B 2048, 600 steps, Adam 2e-3, EMA 0.99 (row L2b: B 512 plateaus
 *       after about 800 steps, L1a-b, while B 2048 still improves and B 4096 x 300 lost on MNIST,
 *       MN12; log-normal noise levels without the high-noise half were worse, L3a; 750 steps
 *       instead of 600 gave no gain on MNIST for 8 more minutes, MN5; neither did a learning rate
 *       decayed to 0 over the last quarter, MN6, nor B 3072 at the same 600 steps on Fashion-MNIST, FB1-FB2,
 *       nor K 2 draws per example for twice the training, MN7 and FK2). The noise is all that DP-SGD
 *       costs this recipe: with the clipping and without the noise the CNN reaches 85.2 (FC0).
 *       The EMA's warm-up keeps its decay below 0.99 for 890 updates, so 600 steps average over
 *       about their last 60; longer averages on the same steps were worse (MN10).
 *       Where no shipped model fits (another shape, or epsilon &lt; 1, which trains v-prediction),
 *       DP-FETA's warm start takes its place (central images: q 0.1, sigma 5, 5 rounds at half
 *       resolution, median-filtered; 2000 Adam steps on them; rows E4-E5, C2).
 *   <li>{@link #QUICK}: the same recipe for the 15-minute demo (rows X10, Q4, Q6; Q5: 500 steps, no
 *       gain; FG3 from the garment start, CNN 73.9): B 512, 400 DP-SGD steps, Adam 4e-3, EMA 0.95
 *       (1000 warm-start steps where no shipped model fits). Like every preset, its physical passes are
 *       {@link PassSize}'s: here the whole batch of 512, 1.11-1.15x the DP steps per second of passes
 *       of 256 on an AMD Zen3.
 *   <li>{@link #SMOKE}: the same network, 20 warm-start and 5 DP-SGD steps of B 64: checks an
 *       installation (or an embedding) end to end in seconds; its samples are noise.
 * </ul>
 * Images whose side is not a multiple of 4 fall back to the nf 16 U-Net on pixels (levels at 1,
 * 1/2 and 1/4 of the side). The warm start is left out where its release would be mostly noise
 * (classes too small: {@link CentralImages#countSignalToNoise} below 1) or the side is odd.
 */
public enum Preset {
    PAPER(32, 1, 2, 4096, 300.0, null, 32, 3e-4, 0.999, new TrainConfig.Intervals(10, 50, 500), 0),
    CPU(16, 2, 1, 2048, null, 600L, 1, 2e-3, 0.99, new TrainConfig.Intervals(10, 50, 200), 2000),
    QUICK(16, 2, 1, 512, null, 400L, 1, 4e-3, 0.95, new TrainConfig.Intervals(10, 50, 100), 1000),
    SMOKE(16, 2, 1, 64, null, 5L, 1, 2e-3, 0.9, new TrainConfig.Intervals(1, 5, 0), 20);

    /** DP-FETA's release (Li et al. 2025's public code): q 0.1, sigma 5, 5 rounds, half resolution. */
    static final CentralImages CENTRAL_IMAGES = new CentralImages(0.1, 5, 5, 2, true);

    private final int nf;
    private final int patch;
    private final int blocks;
    private final int batchSize;
    private final Double epochs;
    private final Long steps;
    private final int draws;
    private final double lr;
    private final double emaDecay;
    private final TrainConfig.Intervals intervals;
    private final int warmStartSteps;

    Preset(int nf, int patch, int blocks, int batchSize, Double epochs, Long steps, int draws,
            double lr, double emaDecay, TrainConfig.Intervals intervals, int warmStartSteps) {
        this.nf = nf;
        this.patch = patch;
        this.blocks = blocks;
        this.batchSize = batchSize;
        this.epochs = epochs;
        this.steps = steps;
        this.draws = draws;
        this.lr = lr;
        this.emaDecay = emaDecay;
        this.intervals = intervals;
        this.warmStartSteps = warmStartSteps;
    }

    /** "paper", "cpu", "quick" or "smoke" (case-insensitive). */
    public static Preset byName(String name) {
        for (Preset p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("preset '" + name + "' is unknown; expected paper, cpu, quick or smoke");
    }

    /**
     * The preset's config for {@code data} (its name or path as given) at the target.
     *
     * @param epsilon target epsilon, +inf for a non-private run
     */
    public TrainConfig config(String dataName, ImageDataset data, double epsilon, double delta) {
        ImageShape s = data.shape();
        UNetConfig network = network(s, data.numClasses());
        boolean highNoise = epsilon < 1;
        Preconditioning preconditioning = highNoise ? new Preconditioning.VPrediction() : new Preconditioning.Edm();
        // The CPU recipe: half of the noise levels drawn log-uniformly from [1, 80] (row X1), and
        // the weights of a shipped public model where one fits (rows X5-X7), which makes the
        // warm start's release unnecessary.
        boolean cpuRecipe = (this == CPU || this == QUICK) && !highNoise;
        NoiseDistribution noise = cpuRecipe
                ? NoiseDistribution.Mixture.highNoiseBiased(preconditioning.defaultNoise(), 0.5, 1, 80)
                : preconditioning.defaultNoise();
        String publicStart = cpuRecipe
                ? PublicModels.installed().flatMap(m -> m.forNetwork(network, data.name())).orElse(null)
                : null;
        int batch = Math.min(batchSize, data.train().size());
        boolean warm = publicStart == null && warmStartSteps > 0 && s.height() % 2 == 0 && s.width() % 2 == 0
                && CENTRAL_IMAGES.countSignalToNoise(data.train().size(), data.numClasses(), s.channels(), s.height(),
                        s.width()) >= 1;
        TrainConfig.WarmStart warmStart = warm ? new TrainConfig.WarmStart(CENTRAL_IMAGES, warmStartSteps, 32, 2e-3, 2)
                : null;
        return new TrainConfig(dataName,
                new TrainConfig.Privacy(epsilon, delta, Accountants.DEFAULT, null, KeyMode.RUN_SECRET),
                new TrainConfig.Schedule(batch, epochs, steps, null, null, Precision.FP32),
                new TrainConfig.Objective(preconditioning, noise, draws, 0.1, Augmentation.NONE),
                new TrainConfig.Optimisation(lr, emaDecay, 1.0, Clipping.FLAT),
                network, 0, intervals, warmStart, publicStart);
    }

    /** The preset's U-Net for square images of shape {@code s}: on patches when the side allows. */
    public UNetConfig network(ImageShape s, int numClasses) {
        if (patch == 1 || s.height() % (2 * patch) != 0) { // DPDM: three levels on pixels
            return new UNetConfig(s.height(), s.channels(), nf, List.of(1, 2, 2), blocks, List.of(s.height() / 4), 0,
                    numClasses);
        }
        int grid = s.height() / patch;
        return new UNetConfig(s.height(), s.channels(), nf, List.of(1, 2), blocks, List.of(grid / 2), 0, numClasses,
                patch);
    }
}
