package io.dpdm.api;

import io.dpdm.classify.ClassifierKind;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.LoadOptions;
import io.dpdm.eval.Evaluation;
import io.dpdm.eval.EvaluationRequest;
import io.dpdm.eval.RealBaselines;
import io.dpdm.eval.SyntheticSet;
import io.dpdm.nn.Precision;
import io.dpdm.sample.NoiseGrid;
import io.dpdm.sample.OutputFormat;
import io.dpdm.sample.SampleRequest;
import io.dpdm.sample.SampleService;
import io.dpdm.sample.SamplerSettings;
import io.dpdm.sample.SamplingProgress;
import io.dpdm.sample.Solver;
import io.dpdm.sample.WeightSet;
import io.dpdm.train.Preset;
import io.dpdm.train.StepTiming;
import io.dpdm.train.TrainConfig;
import io.dpdm.train.Trainer;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * dpdm from Java: the whole job ({@link #run(Job, Evaluation.Progress)}) and each stage on its
 * own, with the same configuration records the command line builds. Every method is a blocking
 * call that returns plain records; failures the user can act on are {@link io.dpdm.DpdmException}s
 * with a one-line message.
 */
public final class Dpdm {
    private Dpdm() {}

    /**
     * A preset's training config ("quick", "cpu" or "paper") for a data set at (epsilon, delta).
     * Adjust it with the records' own constructors, or layer a YAML file with TrainConfigs.
     *
     * @param data an embedded data set name or a path (a folder of images or IDX files)
     * @param epsilon target epsilon, +inf for a non-private comparison run
     */
    public static TrainConfig preset(String preset, String data, double epsilon, double delta) {
        return Preset.byName(preset).config(data, open(data), epsilon, delta);
    }

    /**
     * Trains privately into {@code runDir} (new or empty) until the plan's last step; the
     * guarantee is in the result and in {@code runDir/model.zip}, the shareable model.
     */
    public static Trainer.Result train(TrainConfig config, Path runDir) {
        try (Trainer trainer = Trainer.start(config, runDir, null)) {
            return trainer.run(Trainer.Options.quiet());
        }
    }

    /** Continues an interrupted run from its checkpoint (same keys: bit-exact) to its last step. */
    public static Trainer.Result resume(Path runDir) {
        try (Trainer trainer = Trainer.resume(runDir)) {
            return trainer.run(Trainer.Options.quiet());
        }
    }

    /**
     * {@code count} class-balanced images from a model (a run folder or a model file) into
     * {@code out}, with the quick job's sampler, in bfloat16 where that measured faster on this CPU
     * (the images are as good: EXPERIMENTS row B1b); the manifest carries the model's guarantee.
     */
    public static SampleService.Result sample(Path model, int count, Path out) {
        return sample(new SampleRequest(model, count, null, sampler(Job.Budget.QUICK.sampleSteps), 0, 256,
                WeightSet.EMA, out, EnumSet.of(OutputFormat.IDX, OutputFormat.PNG), Precision.AUTO));
    }

    /** Sampling with every setting chosen by the caller. */
    public static SampleService.Result sample(SampleRequest request) {
        return SampleService.run(request, SamplingProgress.NONE);
    }

    /**
     * The sampler the jobs use: EDM's stochastic sampler with DPDM's churn over {@code levels}
     * noise levels from 80 down to {@link NoiseGrid#JOB_SIGMA_MIN}.
     */
    public static SamplerSettings sampler(int levels) {
        return new SamplerSettings(NoiseGrid.jobs(levels), Solver.Stochastic.DPDM, 0);
    }

    /** Evaluation with every setting chosen by the caller. */
    public static Evaluation.Result evaluate(EvaluationRequest request) {
        return Evaluation.run(request, Evaluation.Progress.NONE);
    }

    /**
     * The whole job: plan it to fit the job's minutes ({@link JobPlan}), train, sample, evaluate
     * (see {@link Job}).
     */
    public static Job.Result run(Job job, Evaluation.Progress progress) {
        long start = System.nanoTime();
        Job.Budget budget = job.budget();
        ImageDataset data = open(job.data());
        TrainConfig preset = Preset.byName(budget.preset()).config(job.data(), data, job.epsilon(), job.delta());
        progress.phase("timing a DP-SGD step of preset " + budget.preset() + " on noise images");
        JobPlan plan = plan(job, preset, data);
        progress.phase(plan.describe());
        TrainConfig config = preset.withSchedule(preset.schedule().withSteps(plan.steps()));
        progress.phase("private training (preset " + budget.preset() + ", eps " + job.epsilon() + ", delta "
                + job.delta() + ") into " + job.runDir());
        Trainer.Result trained;
        try (Trainer trainer = Trainer.start(config, job.runDir(), null)) {
            trained = trainer.run(new Trainer.Options(progress != Evaluation.Progress.NONE, null));
        }
        Path synthetic = job.runDir().resolve(SyntheticSet.IN_RUN);
        progress.phase("sampling " + plan.images() + " class-balanced images (EDM churn, " + budget.sampleSteps
                + " noise levels) into " + synthetic);
        long[] lastReport = {0};
        SampleService.Result sampled = SampleService.run(new SampleRequest(job.runDir(), plan.images(), null,
                sampler(budget.sampleSteps), 0, 256, WeightSet.EMA, synthetic, EnumSet.of(OutputFormat.IDX),
                Precision.AUTO),
                (done, total) -> {
                    if (done == total || done - lastReport[0] >= total / 10) {
                        lastReport[0] = done;
                        progress.phase("sampled " + done + " / " + total);
                    }
                });
        List<String> notes = List.of("Job budget (" + budget.preset() + "): " + plan.describe()
                + ". " + plan.images() + " synthetic images"
                + " sampled with " + budget.sampleSteps + " noise levels (EDM churn) in " + sampled.precision()
                + "; classifiers trained "
                + budget.classifierEpochs + " epochs on the synthetic set and " + budget.realEpochs + " on the real"
                + " training set (the ceiling); the DPDM paper trains far longer (4,500 steps of batch 4,096 on 8"
                + " GPUs), and samples 60,000 images.");
        EvaluationRequest request = new EvaluationRequest(synthetic, job.data(), job.out().resolve("report"),
                List.of(ClassifierKind.LOGREG, ClassifierKind.MLP, ClassifierKind.CNN), budget.classifierEpochs,
                budget.realEpochs, Optional.empty(), job.cache(), Job.VALIDATION, budget.auditSamples, 0, notes);
        Evaluation.Result evaluated = Evaluation.run(SyntheticSet.open(synthetic), data, request, progress);
        return new Job.Result(plan, trained, sampled, evaluated, (System.nanoTime() - start) / 1e9);
    }

    /** The preset's steps and the budget's images, scaled to the job's minutes by a timed step. */
    private static JobPlan plan(Job job, TrainConfig preset, ImageDataset data) {
        Job.Budget budget = job.budget();
        TrainConfig.Schedule schedule = preset.schedule();
        long drawsPerStep = (long) schedule.batchSize() * preset.objective().draws();
        long warmStartDraws = preset.warmStart() == null ? 0
                : (long) preset.warmStart().steps() * preset.warmStart().batchSize() * preset.objective().draws();
        RealBaselines ceilings = new RealBaselines(job.cache(), data, budget.realEpochs, 0);
        boolean cached = EnumSet.allOf(ClassifierKind.class).stream().allMatch(ceilings::cached);
        return JobPlan.fit(budget, job.minutes(), schedule.totalSteps(data.train().size()), drawsPerStep,
                StepTiming.secondsPerStep(preset), warmStartDraws, data.train().size(), cached);
    }

    private static ImageDataset open(String data) {
        return Datasets.open(data, LoadOptions.defaults());
    }
}
