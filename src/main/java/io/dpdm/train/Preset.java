package io.dpdm.train;

import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.NoiseDistribution;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Clipping;
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
 *   <li>{@link #CPU}: the best model 2 CPU cores train in about an hour (see the class notes in
 *       ARCHITECTURE.md for the measurements behind the choice).
 *   <li>{@link #QUICK}: a few minutes; for the demo and smoke tests. Its samples are blurry.
 * </ul>
 */
public enum Preset {
    PAPER(32, List.of(1, 2, 2), 2, 4096, 300.0, null, 32, 16, 0.999, new TrainConfig.Intervals(10, 100, 500)),
    CPU(32, List.of(1, 2, 2), 2, 512, null, 220L, 4, 32, 0.99, new TrainConfig.Intervals(5, 25, 50)),
    QUICK(16, List.of(1, 2), 1, 256, null, 40L, 2, 64, 0.9, new TrainConfig.Intervals(2, 10, 20));

    private final int nf;
    private final List<Integer> multipliers;
    private final int blocks;
    private final int batchSize;
    private final Double epochs;
    private final Long steps;
    private final int draws;
    private final int microBatch;
    private final double emaDecay;
    private final TrainConfig.Intervals intervals;

    Preset(int nf, List<Integer> multipliers, int blocks, int batchSize, Double epochs, Long steps, int draws,
            int microBatch, double emaDecay, TrainConfig.Intervals intervals) {
        this.nf = nf;
        this.multipliers = multipliers;
        this.blocks = blocks;
        this.batchSize = batchSize;
        this.epochs = epochs;
        this.steps = steps;
        this.draws = draws;
        this.microBatch = microBatch;
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
                new TrainConfig.Privacy(epsilon, delta, Accountants.DEFAULT, null, false),
                new TrainConfig.Schedule(batch, epochs, steps, microBatch),
                new TrainConfig.Objective(preconditioning, noise, draws, 0.1, Augmentation.NONE),
                new TrainConfig.Optimisation(3e-4 * (this == PAPER ? 1 : 1), emaDecay, 1.0, Clipping.FLAT),
                network, 0, intervals);
    }
}
