package io.dpdm.api;

import io.dpdm.eval.RealBaselines;
import java.util.Locale;

/**
 * How much of a job's budget fits its minutes on this CPU. The DP-SGD steps and the synthetic
 * images are scaled by one factor (at most 1: a budget never grows the preset) so that the
 * predicted wall time fits; classifier epochs stay the protocol's. The prediction starts from one
 * measurement, the seconds of a DP-SGD step ({@link io.dpdm.train.StepTiming}), divided into
 * seconds per example-draw; every other stage is a fixed multiple of that, measured on an AMD
 * Zen3 with AVX2 only (docs/EXPERIMENTS.md rows TB0-TB3), the slowest machine the demos ran on
 * relative to its training step; on the AVX-512 machines those stages ran relatively faster, so
 * there the plan errs towards finishing early. What shrinking costs: on that machine the quick
 * budget at 0.63 of its steps and images gave the CNN 73.4 where the whole budget gave 74.0
 * (rows TB1 and TB0, within one model's spread), in 12 minutes instead of 20.
 *
 * <p>The plan depends on the preset, the data set's size and the CPU, never on the private
 * images or the run's keys; the DP-SGD noise is then calibrated for the planned steps, so the
 * guarantee is the target's whatever the plan.
 *
 * @param steps DP-SGD steps
 * @param images synthetic images
 * @param scale the factor applied to the preset's steps and the budget's images
 * @param secondsPerStep the predicted seconds of one DP-SGD step
 * @param predictedSeconds the predicted wall time of the whole job
 * @param minutes the minutes it was planned for
 */
public record JobPlan(long steps, int images, double scale, double secondsPerStep, double predictedSeconds,
        double minutes) {
    /** Seconds to sample one image with the jobs' 10-level sampler, in example-draws of DP-SGD. */
    static final double SAMPLE_PER_IMAGE = 6.2;
    /** Seconds of one image-epoch of the three downstream classifiers together, in example-draws. */
    static final double CLASSIFY_PER_IMAGE_EPOCH = 0.38;
    /**
     * The rest, in example-draws: the step's timing, the run's start, checkpoints and sample grids,
     * loading, features for the Frechet distance, the audit and the report (about 110 s on M1).
     */
    static final double FIXED = 45_000;
    /**
     * Share of the minutes planned: the rest absorbs what the prediction misses (the timed pass
     * varied by 12% between runs on one machine, TB2-TB4) and the launcher's first build.
     */
    static final double PLANNED_SHARE = 0.85;
    /** Below this share of the preset the demo's figures are no longer worth showing. */
    static final double MIN_SCALE = 0.25;
    /** Synthetic images come in multiples of this, and never fewer. */
    static final int IMAGE_STEP = 500;

    /**
     * The largest plan that fits.
     *
     * @param budget the job's budget (images, levels, epochs)
     * @param minutes wall minutes for the whole job
     * @param presetSteps the preset's DP-SGD steps
     * @param drawsPerStep examples times draws of an expected batch (B K)
     * @param secondsPerStep predicted seconds of one step
     * @param warmStartDraws example-draws of a warm start before DP-SGD (0 without one; not scaled)
     * @param realImages images of the real training set
     * @param ceilingsCached whether the real-data classifiers are cached (else they are trained too)
     */
    static JobPlan fit(Job.Budget budget, double minutes, long presetSteps, long drawsPerStep, double secondsPerStep,
            long warmStartDraws, int realImages, boolean ceilingsCached) {
        if (!(minutes > 0 && Double.isFinite(minutes))) {
            throw new IllegalArgumentException("a job's minutes must be finite and > 0, got " + minutes);
        }
        double draw = secondsPerStep / drawsPerStep;
        double fixed = draw * (FIXED + warmStartDraws + (ceilingsCached ? 0
                : CLASSIFY_PER_IMAGE_EPOCH * (1 - RealBaselines.HOLD_OUT) * realImages * budget.realEpochs));
        double perImage = draw * (SAMPLE_PER_IMAGE * budget.sampleSteps / 10.0
                + CLASSIFY_PER_IMAGE_EPOCH * (1 - Job.VALIDATION) * budget.classifierEpochs);
        double fitting = (PLANNED_SHARE * minutes * 60 - fixed)
                / (presetSteps * secondsPerStep + budget.images * perImage);
        double scale = Math.max(MIN_SCALE, Math.min(1, fitting));
        long steps = Math.max(1, Math.round(scale * presetSteps));
        int images = Math.max(IMAGE_STEP, (int) (scale * budget.images / IMAGE_STEP) * IMAGE_STEP);
        double predicted = fixed + steps * secondsPerStep + images * perImage;
        return new JobPlan(steps, images, scale, secondsPerStep, predicted, minutes);
    }

    /** One line for the job's log and report. */
    public String describe() {
        String fits = scale >= 1 ? "the whole budget fits"
                : predictedSeconds <= PLANNED_SHARE * minutes * 60
                        ? String.format(Locale.ROOT, "%.0f%% of the budget fits", 100 * scale)
                        : "even the smallest plan does not fit";
        return String.format(Locale.ROOT, "plan: a DP-SGD step takes about %.2f s on this CPU; %s %.0f minutes:"
                + " %d steps and %d images, about %.0f s in all", secondsPerStep, fits, minutes, steps, images,
                predictedSeconds);
    }
}
