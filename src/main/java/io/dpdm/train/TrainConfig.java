package io.dpdm.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.NoiseDistribution;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Clipping;
import io.dpdm.dp.KeyMode;
import io.dpdm.dp.LearningRate;
import io.dpdm.nn.Precision;
import io.dpdm.warmstart.CentralImages;
import io.dpdm.privacy.Accountants;
import java.util.List;

/**
 * Everything that defines a training run (DPDM, Dockhorn et al. 2023, Algorithm 1 with the
 * reference code's settings), fully resolved: presets, a config file and command-line flags all
 * end up here. Written to RUN_DIR/config.json before training and into every checkpoint; reads
 * back through Jackson (JSON or YAML). Every part validates itself on construction.
 *
 * @param data embedded data set name or path of the private training data
 * @param privacy the (epsilon, delta) target and how it is met
 * @param schedule batch size, length and micro-batching
 * @param objective the diffusion loss (parameterisation, noise levels, K, label dropout, augmentation)
 * @param optimisation Adam, EMA and clipping
 * @param network the DDPM++ U-Net
 * @param seed fixes the initial weights (public, like the architecture); it keys no privacy-critical
 *     randomness unless {@code privacy.keys} is PUBLIC_SEED, which voids the guarantee
 * @param intervals how often to log, checkpoint and draw sample grids
 * @param warmStart a private warm start before DP-SGD (released central images, then
 *     non-private training on them), or null for none
 * @param publicStart the name of a model shipped in {@code data/pretrained/} (trained without
 *     privacy on another, public data set: {@link io.dpdm.model.PublicModels}) whose weights start
 *     the run, or null for the seed's random weights; an explicit {@code --init-from} replaces it
 */
public record TrainConfig(String data, Privacy privacy, Schedule schedule, Objective objective,
        Optimisation optimisation, UNetConfig network, long seed, Intervals intervals, WarmStart warmStart,
        String publicStart) {
    /** A config without a warm start. */
    public TrainConfig(String data, Privacy privacy, Schedule schedule, Objective objective,
            Optimisation optimisation, UNetConfig network, long seed, Intervals intervals) {
        this(data, privacy, schedule, objective, optimisation, network, seed, intervals, null);
    }

    /** A config that starts from the seed's random weights. */
    public TrainConfig(String data, Privacy privacy, Schedule schedule, Objective objective,
            Optimisation optimisation, UNetConfig network, long seed, Intervals intervals, WarmStart warmStart) {
        this(data, privacy, schedule, objective, optimisation, network, seed, intervals, warmStart, null);
    }

    public TrainConfig {
        if (data == null || data.isBlank()) {
            throw new IllegalArgumentException("data: a data set name or path is required");
        }
        required("privacy", privacy);
        required("schedule", schedule);
        required("objective", objective);
        required("optimisation", optimisation);
        required("network", network);
        required("intervals", intervals);
    }

    /** This config with {@code s} as its schedule. */
    public TrainConfig withSchedule(Schedule s) {
        return new TrainConfig(data, privacy, s, objective, optimisation, network, seed, intervals, warmStart, publicStart);
    }

    /** Examples per physical pass: the schedule's, or {@link PassSize}'s for this network and K. */
    @JsonIgnore
    public int passSize() {
        Integer m = schedule.microBatchSize();
        return m != null ? m
                : PassSize.examples(network, schedule.drawsPerPass(objective.draws()), schedule.batchSize());
    }

    /** This config with its pass size written out (config.json records the number a run used). */
    public TrainConfig withPassSizeFixed() {
        return withSchedule(schedule.withMicroBatchSize(passSize()));
    }

    /** True unless epsilon is infinite (the non-private comparison run). */
    @JsonIgnore
    public boolean isPrivate() {
        return privacy.isPrivate();
    }

    /**
     * The privacy target.
     *
     * @param epsilon target epsilon &gt; 0; +Infinity trains without DP (no clipping, no noise, same
     *     sampling) for comparison
     * @param delta target delta in (0, 1) (DPDM: 1e-5 for 60,000 images)
     * @param accountant "prv" (default, tightest) or "rdp": calibrates sigma and reports epsilon
     * @param noiseMultiplier a fixed sigma instead of calibrating one, or null
     * @param keys where the keys of DP sampling, DP noise and the per-example draws come from:
     *     RUN_SECRET (default: one SecureRandom secret per run, kept in the operator's checkpoint),
     *     FRESH (new keys for every step, never stored) or PUBLIC_SEED (derived from {@code seed}:
     *     NO guarantee; tests and debugging)
     */
    public record Privacy(double epsilon, double delta, String accountant, Double noiseMultiplier, KeyMode keys) {
        public Privacy {
            keys = keys == null ? KeyMode.RUN_SECRET : keys;
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("privacy.epsilon must be > 0 (or inf for non-private), got " + epsilon);
            }
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("privacy.delta must be in (0, 1), got " + delta);
            }
            accountant = accountant == null ? Accountants.DEFAULT : accountant;
            Accountants.byName(accountant); // validates the name
            if (noiseMultiplier != null) {
                if (!(noiseMultiplier > 0 && Double.isFinite(noiseMultiplier))) {
                    throw new IllegalArgumentException("privacy.noiseMultiplier must be finite and > 0, got "
                            + noiseMultiplier);
                }
                if (Double.isInfinite(epsilon)) {
                    throw new IllegalArgumentException("privacy.noiseMultiplier makes no sense with epsilon = inf"
                            + " (non-private training adds no noise)");
                }
            }
        }

        @JsonIgnore
        public boolean isPrivate() {
            return Double.isFinite(epsilon);
        }
    }

    /**
     * How many examples per step and how many steps. Poisson sampling with q = batchSize / N. The
     * DPDM reference code instead uses q = 1 / ceil(N / B) (1/15 for N = 60,000, B = 4096: an
     * expected batch of 4,000) and T = epochs * ceil(N / B) (4,500 for 300 epochs); here
     * T = ceil(epochs * N / B) (4,395). Give batchSize = N / 15 = 4000 to reproduce the reference
     * schedule exactly.
     *
     * @param batchSize B, the expected logical batch size, 1 &lt;= B &lt;= N
     * @param epochs length in passes over the data, or null when {@code steps} is given
     * @param steps length in logical steps, or null when {@code epochs} is given
     * @param microBatchSize examples per physical pass (bounds memory; the draws are keyed per
     *     example, so the result does not depend on it beyond float summation order), or null for
     *     {@link PassSize}'s choice for the network and K, fixed in config.json when a run starts
     * @param drawsPerPass at most this many of an example's K draws per pass, or null for all K:
     *     with {@code microBatchSize} it bounds a pass to M x D activation rows for any B x K (each
     *     draw is keyed by its index, so the split changes only float summation order)
     * @param precision of the network's convolutions and products (null: FP32); AUTO is resolved
     *     when a run starts ({@link PrecisionChoice}), and config.json holds the choice
     */
    public record Schedule(int batchSize, Double epochs, Long steps, Integer microBatchSize, Integer drawsPerPass,
            Precision precision) {
        /** Every draw of an example in one pass, in float32. */
        public Schedule(int batchSize, Double epochs, Long steps, int microBatchSize) {
            this(batchSize, epochs, steps, microBatchSize, null, Precision.FP32);
        }

        public Schedule {
            if (batchSize < 1) {
                throw new IllegalArgumentException("schedule.batchSize must be >= 1, got " + batchSize);
            }
            if ((epochs == null) == (steps == null)) {
                throw new IllegalArgumentException("schedule: give exactly one of epochs and steps, got epochs="
                        + epochs + " steps=" + steps);
            }
            if (epochs != null && !(epochs > 0 && Double.isFinite(epochs))) {
                throw new IllegalArgumentException("schedule.epochs must be finite and > 0, got " + epochs);
            }
            if (steps != null && steps < 1) {
                throw new IllegalArgumentException("schedule.steps must be >= 1, got " + steps);
            }
            if (microBatchSize != null && microBatchSize < 1) {
                throw new IllegalArgumentException("schedule.microBatchSize must be >= 1, got " + microBatchSize);
            }
            if (drawsPerPass != null && drawsPerPass < 1) {
                throw new IllegalArgumentException("schedule.drawsPerPass must be >= 1, got " + drawsPerPass);
            }
            if (precision == null) {
                precision = Precision.FP32;
            }
        }

        /** This schedule in {@code p}. */
        public Schedule withPrecision(Precision p) {
            return new Schedule(batchSize, epochs, steps, microBatchSize, drawsPerPass, p);
        }

        /** This schedule ending after {@code t} steps. */
        public Schedule withSteps(long t) {
            return new Schedule(batchSize, null, t, microBatchSize, drawsPerPass, precision);
        }

        /** This schedule with {@code m} examples per pass. */
        public Schedule withMicroBatchSize(int m) {
            return new Schedule(batchSize, epochs, steps, m, drawsPerPass, precision);
        }

        /** Draws per pass for an objective of {@code draws} = K. */
        public int drawsPerPass(int draws) {
            return drawsPerPass == null ? draws : Math.min(drawsPerPass, draws);
        }

        /** Logical steps for a data set of {@code n} examples. */
        public long totalSteps(int n) {
            return steps != null ? steps : (long) Math.ceil(epochs * n / batchSize);
        }
    }

    /**
     * The per-example denoising loss ({@link io.dpdm.diffusion.DenoisingLoss}).
     *
     * @param preconditioning EDM, v-prediction, VP or VE
     * @param noise the training distribution of sigma
     * @param draws K, noise multiplicity (DPDM: 32)
     * @param labelDropout classifier-free guidance label dropout (DPDM: 0.1)
     * @param augmentation augmentation multiplicity (default none)
     */
    public record Objective(Preconditioning preconditioning, NoiseDistribution noise, int draws, double labelDropout,
            Augmentation augmentation) {
        public Objective {
            required("objective.preconditioning", preconditioning);
            required("objective.noise", noise);
            augmentation = augmentation == null ? Augmentation.NONE : augmentation;
            if (draws < 1) {
                throw new IllegalArgumentException("objective.draws must be >= 1, got " + draws);
            }
            if (!(labelDropout >= 0 && labelDropout <= 1)) {
                throw new IllegalArgumentException("objective.labelDropout must be in [0, 1], got " + labelDropout);
            }
        }
    }

    /**
     * Adam, weight EMA and clipping (DPDM: lr 3e-4, EMA 0.999, flat clipping at C = 1).
     *
     * @param lr Adam learning rate
     * @param emaDecay EMA decay in [0, 1)
     * @param clipNorm C &gt; 0 (ignored when non-private)
     * @param clipping FLAT or PER_LAYER
     * @param lrDecay the last fraction of the run's steps over which lr falls linearly to 0, in
     *     [0, 1] (0, the default, keeps it constant: {@link LearningRate})
     * @param frozen parameters that keep the starting model's values, by name or name prefix
     *     ("body3", "head.conv"; {@link io.dpdm.nn.ParameterStore#freeze}); DP-SGD clips, noises and
     *     updates only the others. Empty (the default) trains every parameter; freezing needs a
     *     starting model (a public start or {@code --init-from})
     */
    public record Optimisation(double lr, double emaDecay, double clipNorm, Clipping clipping, double lrDecay,
            List<String> frozen) {
        /** A constant learning rate, every parameter trained. */
        public Optimisation(double lr, double emaDecay, double clipNorm, Clipping clipping) {
            this(lr, emaDecay, clipNorm, clipping, 0, List.of());
        }

        public Optimisation {
            if (!(lr > 0 && Double.isFinite(lr))) {
                throw new IllegalArgumentException("optimisation.lr must be finite and > 0, got " + lr);
            }
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("optimisation.emaDecay must be in [0, 1), got " + emaDecay);
            }
            if (!(clipNorm > 0 && Double.isFinite(clipNorm))) {
                throw new IllegalArgumentException("optimisation.clipNorm must be finite and > 0, got " + clipNorm);
            }
            if (!(lrDecay >= 0 && lrDecay <= 1)) {
                throw new IllegalArgumentException("optimisation.lrDecay must be in [0, 1], got " + lrDecay);
            }
            clipping = clipping == null ? Clipping.FLAT : clipping;
            frozen = frozen == null ? List.of() : List.copyOf(frozen);
            if (frozen.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("optimisation.frozen: parameter names must not be blank, got " + frozen);
            }
        }

        /** The learning rate of each of a run's {@code steps} updates. */
        public LearningRate learningRate(long steps) {
            return new LearningRate(lr, steps, lrDecay);
        }
    }

    /**
     * In logical steps; a checkpoint is also written at the end and when stopped.
     *
     * @param log metrics line every this many steps (>= 1)
     * @param checkpoint checkpoint every this many steps (>= 1)
     * @param samples sample grid every this many steps and at the end; 0 = never
     */
    public record Intervals(int log, int checkpoint, int samples) {
        public Intervals {
            if (log < 1 || checkpoint < 1 || samples < 0) {
                throw new IllegalArgumentException("intervals: log and checkpoint must be >= 1 and samples >= 0, got "
                        + log + ", " + checkpoint + ", " + samples);
            }
        }
    }

    /**
     * DP-FETA's warm start (io.dpdm.warmstart): the central-image release, then {@code steps}
     * non-private Adam steps on the released images.
     *
     * @param release the DP release (q, sigma, rounds, downsampling): a phase of the ledger
     * @param steps Adam steps on the released images (post-processing: no budget)
     * @param batchSize released images per step (drawn with replacement)
     * @param lr Adam learning rate of these steps
     * @param maxShift augmentation of the released images: shifts of up to this many pixels
     */
    public record WarmStart(CentralImages release, int steps, int batchSize, double lr, int maxShift) {
        public WarmStart {
            required("warmStart.release", release);
            if (steps < 0 || batchSize < 1 || maxShift < 0 || !(lr > 0 && Double.isFinite(lr))) {
                throw new IllegalArgumentException("warmStart: steps >= 0, batchSize >= 1, maxShift >= 0 and lr > 0"
                        + " expected, got " + steps + ", " + batchSize + ", " + maxShift + ", " + lr);
            }
        }
    }

    private static void required(String field, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
    }
}
