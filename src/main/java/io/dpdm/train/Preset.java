package io.dpdm.train;

import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.NoiseDistribution;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Clipping;
import io.dpdm.dp.KeyMode;
import io.dpdm.privacy.Accountants;
import java.util.List;

/**
 * Named starting points for a training config, sized for the data set (image shape, classes)
 * and the privacy target. A config file and command-line flags are layered on top.
 *
 * <ul>
 *   <li>{@link #PAPER}: DPDM's published 28x28 settings (Dockhorn et al. 2023, Table 8 and the
 *       reference code): DDPM++ nf 32 (1, 2, 2), 2 blocks, attention at 7; B 4096, 300 epochs,
 *       K 32, C 1, Adam lr 3e-4, EMA 0.999, label dropout 0.1; v-prediction with logSNR-uniform
 *       sigma for epsilon &lt; 1 (DPDM's choice at 0.2: high-noise training), EDM with the
 *       log-normal sigma otherwise (epsilon 1 and 10). Needs GPUs or days of CPU.
 *   <li>{@link #CPU}: aimed at about an hour on 2 cores (training ~40 min, then sampling and
 *       evaluation in the demo). Measured on the idle 2-core box (B 512, K 1 or 2, 3 steps each):
 *       DPDM's widths (nf 32, three levels, one block) train at ~45 example-draws/s, nf 16 with
 *       three levels at ~110/s. At 45/s an hour buys 140 steps of B 512 (1.2 epochs): too few
 *       Adam steps for a denoiser. So the CPU preset halves the width (attention stays at 7x7,
 *       where it is cheap), uses K 1 (DPDM's ablation loses little from K 32 to small K, while
 *       the DP noise relative to the signal falls with B) and B 1024 x 280 steps (4.8 epochs),
 *       Adam lr 2e-3 and EMA 0.99 for so short a run.
 *   <li>{@link #QUICK}: the CPU network, B 256, K 1, 100 steps: about 4.5 minutes on 2 cores; for
 *       the demo and smoke tests.
 * </ul>
 */
public enum Preset {
    PAPER(32, List.of(1, 2, 2), 2, 4096, 300.0, null, 32, 16, 3e-4, 0.999, new TrainConfig.Intervals(10, 50, 500)),
    CPU(16, List.of(1, 2, 2), 1, 1024, null, 280L, 1, 256, 2e-3, 0.99, new TrainConfig.Intervals(5, 20, 70)),
    QUICK(16, List.of(1, 2, 2), 1, 256, null, 100L, 1, 256, 2e-3, 0.95, new TrainConfig.Intervals(2, 20, 50));

    private final int nf;
    private final List<Integer> multipliers;
    private final int blocks;
    private final int batchSize;
    private final Double epochs;
    private final Long steps;
    private final int draws;
    private final int microBatch;
    private final double lr;
    private final double emaDecay;
    private final TrainConfig.Intervals intervals;

    Preset(int nf, List<Integer> multipliers, int blocks, int batchSize, Double epochs, Long steps, int draws,
            int microBatch, double lr, double emaDecay, TrainConfig.Intervals intervals) {
        this.nf = nf;
        this.multipliers = multipliers;
        this.blocks = blocks;
        this.batchSize = batchSize;
        this.epochs = epochs;
        this.steps = steps;
        this.draws = draws;
        this.microBatch = microBatch;
        this.lr = lr;
        this.emaDecay = emaDecay;
        this.intervals = intervals;
    }

    /** "paper", "cpu" or "quick" (case-insensitive). */
    public static Preset byName(String name) {
        for (Preset p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("preset '" + name + "' is unknown; expected paper, cpu or quick");
    }

    /**
     * The preset's config for {@code data} (its name or path as given) at the target.
     *
     * @param epsilon target epsilon, +inf for a non-private run
     */
    public TrainConfig config(String dataName, ImageDataset data, double epsilon, double delta) {
        ImageShape s = data.shape();
        int levels = multipliers.size();
        UNetConfig network = new UNetConfig(s.height(), s.channels(), nf, multipliers, blocks,
                List.of(s.height() >> (levels - 1)), 0, data.numClasses());
        boolean highNoise = epsilon < 1;
        Preconditioning preconditioning = highNoise ? new Preconditioning.VPrediction() : new Preconditioning.Edm();
        NoiseDistribution noise = preconditioning.defaultNoise();
        int batch = Math.min(batchSize, data.train().size());
        return new TrainConfig(dataName,
                new TrainConfig.Privacy(epsilon, delta, Accountants.DEFAULT, null, KeyMode.RUN_SECRET),
                new TrainConfig.Schedule(batch, epochs, steps, microBatch),
                new TrainConfig.Objective(preconditioning, noise, draws, 0.1, Augmentation.NONE),
                new TrainConfig.Optimisation(lr, emaDecay, 1.0, Clipping.FLAT),
                network, 0, intervals);
    }
}
