package io.dpdm.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.LoadOptions;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.dp.KeyMode;
import io.dpdm.train.Preset;
import io.dpdm.train.StepTiming;
import io.dpdm.train.TrainConfig;
import io.dpdm.train.TrainConfigs;
import io.dpdm.train.TrainPlan;
import io.dpdm.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpdm train}: resolves the config (preset, then --config file, then flags), plans the
 * privacy budget and runs {@link Trainer}. Ctrl-C stops after the current step with a resumable
 * checkpoint. Only parses, layers and prints; the work is in io.dpdm.train.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a diffusion model with DP-SGD (DPDM) into a run directory.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "NAME|PATH", description = "Private training data: embedded name or path.")
    String data;
    @Option(names = "--epsilon", paramLabel = "E", description = "Target epsilon; 'inf' trains non-privately.")
    String epsilon;
    @Option(names = "--delta", paramLabel = "D", description = "Target delta (DPDM: 1e-5 for 60,000 images).")
    Double delta;
    @Option(names = "--preset", paramLabel = "paper|cpu|quick|smoke", defaultValue = "cpu",
            description = "Starting settings (default: ${DEFAULT-VALUE}).")
    String preset;
    @Option(names = "--config", paramLabel = "FILE.yaml", description = "Config file layered over the preset.")
    Path configFile;
    @Option(names = "--out", paramLabel = "RUN_DIR", description = "Run directory to create.")
    Path out;
    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its checkpoint.")
    Path resume;
    @Option(names = "--init-from", paramLabel = "MODEL",
            description = "Start from another model's weights (model.zip, checkpoint or run directory). A private model"
                    + " of the same data adds its ledger to this run's; one of other data is public pre-training.")
    Path initFrom;
    @Option(names = "--init-outside-guarantee", description = "Allow --init-from a NON-private model of the same data;"
            + " the guarantee then excludes it (the model card says so).")
    boolean initOutsideGuarantee;
    @Option(names = "--dry-run", description = "Print the resolved config and privacy plan, then exit.")
    boolean dryRun;

    @Option(names = "--noise-multiplier", paramLabel = "SIGMA", description = "Fixed sigma instead of calibrating.")
    Double noiseMultiplier;
    @Option(names = "--accountant", paramLabel = "prv|rdp", description = "Accountant (default prv).")
    String accountant;
    @Option(names = "--secure-noise", description = "Fresh SecureRandom keys for every step, never stored (default: one"
            + " SecureRandom secret per run, kept only in the operator's checkpoint.zip so resume is exact).")
    boolean secureNoise;
    @Option(names = "--no-guarantee-seed", description = "Derive the DP randomness from --seed, for tests and"
            + " debugging: anyone with the seed can undo the noise, so the model has NO guarantee.")
    boolean publicSeed;
    @Option(names = "--batch-size", paramLabel = "B", description = "Expected batch size (q = B/N).")
    Integer batchSize;
    @Option(names = "--epochs", paramLabel = "E", description = "Length in epochs (T = ceil(E N / B)).")
    Double epochs;
    @Option(names = "--steps", paramLabel = "T", description = "Length in logical steps.")
    Long steps;
    @Option(names = "--micro-batch", paramLabel = "M", description = "Examples per physical pass (memory;"
            + " default: as many as keep 8 MiB of first-level activations for the network and K).")
    Integer microBatch;
    @Option(names = "--draws-per-pass", paramLabel = "D",
            description = "At most D of an example's K draws per physical pass (memory: M x D rows).")
    Integer drawsPerPass;
    @Option(names = "--draws", paramLabel = "K", description = "Noise draws per example (noise multiplicity).")
    Integer draws;
    @Option(names = "--clip-norm", paramLabel = "C", description = "Per-example clipping norm.")
    Double clipNorm;
    @Option(names = "--clipping", paramLabel = "FLAT|PER_LAYER", description = "Clipping mode.")
    String clipping;
    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate.")
    Double lr;
    @Option(names = "--ema-decay", paramLabel = "D", description = "EMA decay of the weights, reached after a"
            + " warm-up of (10 D - 1) / (1 - D) updates (890 for 0.99): update n uses min(D, (1 + n) / (10 + n)).")
    Double emaDecay;
    @Option(names = "--lr-decay", paramLabel = "F",
            description = "Last fraction of the steps over which the learning rate falls linearly to 0.")
    Double lrDecay;
    @Option(names = "--freeze", paramLabel = "NAME", split = ",",
            description = "Parameters that keep the starting model's values, by name or prefix (e.g."
                    + " input,body0,body2): DP-SGD clips, noises and updates only the rest. Needs a starting model.")
    List<String> freeze;
    @Option(names = "--preconditioning", paramLabel = "edm|v-prediction|vp|ve",
            description = "Parameterisation (with its standard training noise distribution).")
    String preconditioning;
    @Option(names = "--label-dropout", paramLabel = "P", description = "Classifier-free guidance label dropout.")
    Double labelDropout;
    @Option(names = "--base-channels", paramLabel = "NF", description = "U-Net base channels.")
    Integer baseChannels;
    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights (public; keys no DP"
            + " randomness unless --no-guarantee-seed).")
    Long seed;
    @Option(names = "--log-every", paramLabel = "N", description = "Metrics line every N steps.")
    Integer logEvery;
    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Checkpoint every N steps.")
    Integer checkpointEvery;
    @Option(names = "--sample-every", paramLabel = "N", description = "Sample grid every N steps (0: at the end).")
    Integer sampleEvery;
    @Option(names = "--stop-at-step", paramLabel = "T", description = "Stop (resumably) once T steps are done.")
    Long stopAtStep;
    @Mixin
    PrecisionOption precision;

    @Option(names = "--no-progress", description = "No progress output.")
    boolean noProgress;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        Trainer trainer;
        if (resume != null) {
            if (out != null || data != null || configFile != null || initFrom != null || dryRun || epsilon != null
                    || secureNoise || publicSeed || precision.given() != null) {
                throw new IllegalArgumentException("--resume RUN_DIR takes no other run settings: the run's own"
                        + " config and ledger are used");
            }
            trainer = Trainer.resume(resume);
            stdout.printf(Locale.ROOT, "resuming %s at step %d of %d%n", resume, trainer.steps(), trainer.plan().steps());
        } else {
            if (out == null && !dryRun) {
                throw new IllegalArgumentException("missing --out RUN_DIR (or --resume RUN_DIR)");
            }
            TrainConfig config = resolve();
            if (initOutsideGuarantee && initFrom == null) {
                throw new IllegalArgumentException("--init-outside-guarantee needs --init-from");
            }
            Trainer.Initialisation init = initFrom == null ? null
                    : new Trainer.Initialisation(initFrom, initOutsideGuarantee);
            if (dryRun) {
                TrainPlan plan = Trainer.plan(config, init);
                TrainConfig resolved = Trainer.resolved(config, init);
                ObjectNode tree = TrainConfigs.toTree(resolved);
                tree.set("plan", TrainConfigs.toTree(plan));
                stdout.println(tree.toPrettyString());
                stdout.println(summary(plan));
                double seconds = StepTiming.secondsPerStep(resolved);
                stdout.printf(Locale.ROOT, "this CPU: about %.2f s per step (its passes timed on noise images), about"
                        + " %.0f min for %d steps%n", seconds, seconds * plan.steps() / 60, plan.steps());
                return Main.OK;
            }
            trainer = Trainer.start(config, out, init);
            stdout.println(summary(trainer.plan()));
            stdout.println("precision: " + trainer.precision());
        }
        stdout.flush();
        return run(trainer, stdout);
    }

    private int run(Trainer trainer, PrintWriter stdout) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop();
            System.err.println("\ntrain: stopping after the current step and writing a checkpoint...");
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dpdm-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        // The summary is printed before the latch opens: once the hook returns, the JVM halts.
        try (trainer) {
            print(trainer.run(new Trainer.Options(!noProgress, stopAtStep)), stdout);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and returns now that the checkpoint is written.
            }
        }
        return Main.OK;
    }

    private static void print(Trainer.Result r, PrintWriter stdout) {
        String eps = r.privacy().isPrivate()
                ? String.format(Locale.ROOT, "epsilon %.4g at delta %.3g (%s)", r.privacy().epsilon(), r.privacy().delta(),
                        r.privacy().accountant())
                : "non-private (epsilon = inf)";
        stdout.printf(Locale.ROOT, "%s: %d/%d steps in %.1f s, %s%n", r.finished() ? "finished" : "stopped", r.steps(),
                r.plannedSteps(), r.wallSeconds(), eps);
        if (!r.finished()) {
            stdout.printf("resume with: dpdm train --resume %s%n", r.runDir());
        }
        stdout.flush();
    }

    private static String summary(TrainPlan p) {
        return String.format(Locale.ROOT,
                "plan: N = %d, q = %.6g, %d steps, noise multiplier %.6g, planned epsilon %s",
                p.datasetSize(), p.sampleRate(), p.steps(), p.noiseMultiplier(),
                Double.isInfinite(p.plannedEpsilon()) ? "inf (non-private)"
                        : String.format(Locale.ROOT, "%.4g (%s)", p.plannedEpsilon(), p.accountant()));
    }

    /** Preset, then the config file, then flags. */
    private TrainConfig resolve() {
        ObjectNode file = configFile == null ? JsonNodeFactory.instance.objectNode() : TrainConfigs.readTree(configFile);
        String dataName = data != null ? data : textOrNull(file, "data");
        if (dataName == null) {
            throw new IllegalArgumentException("missing --data NAME|PATH (or 'data' in --config)");
        }
        Double eps = epsilon != null ? parseEpsilon(epsilon) : numberOrNull(file.path("privacy"), "epsilon");
        Double del = delta != null ? delta : numberOrNull(file.path("privacy"), "delta");
        if (eps == null || del == null) {
            throw new IllegalArgumentException("missing --epsilon E and --delta D (or privacy.epsilon/delta in --config)");
        }
        ImageDataset dataset = Datasets.open(dataName, LoadOptions.defaults());
        ObjectNode tree = TrainConfigs.toTree(Preset.byName(preset).config(dataName, dataset, eps, del));
        TrainConfigs.merge(tree, file);
        TrainConfigs.merge(tree, flags(dataName, eps, del));
        return TrainConfigs.fromTree(tree, configFile == null ? "command line" : configFile + " with flags");
    }

    private ObjectNode flags(String dataName, double eps, double del) {
        ObjectNode f = JsonNodeFactory.instance.objectNode();
        f.put("data", dataName);
        ObjectNode privacy = f.putObject("privacy");
        privacy.put("epsilon", eps);
        privacy.put("delta", del);
        putIf(privacy, "noiseMultiplier", noiseMultiplier);
        putIf(privacy, "accountant", accountant);
        if (secureNoise && publicSeed) {
            throw new IllegalArgumentException("--secure-noise and --no-guarantee-seed exclude each other");
        }
        putIf(privacy, "keys", secureNoise ? KeyMode.FRESH : publicSeed ? KeyMode.PUBLIC_SEED : null);
        ObjectNode schedule = f.putObject("schedule");
        putIf(schedule, "batchSize", batchSize);
        putIf(schedule, "microBatchSize", microBatch);
        putIf(schedule, "drawsPerPass", drawsPerPass);
        putIf(schedule, "precision", precision.given());
        if (epochs != null || steps != null) { // the other one of the pair is dropped
            schedule.set("epochs", epochs == null ? null : JsonNodeFactory.instance.numberNode(epochs));
            schedule.set("steps", steps == null ? null : JsonNodeFactory.instance.numberNode(steps));
        }
        ObjectNode objective = f.putObject("objective");
        putIf(objective, "draws", draws);
        putIf(objective, "labelDropout", labelDropout);
        if (preconditioning != null) {
            Preconditioning p = switch (preconditioning.toLowerCase(Locale.ROOT)) {
                case "edm" -> new Preconditioning.Edm();
                case "v-prediction" -> new Preconditioning.VPrediction();
                case "vp" -> new Preconditioning.Vp();
                case "ve" -> new Preconditioning.Ve();
                default -> throw new IllegalArgumentException("--preconditioning '" + preconditioning
                        + "' is unknown; expected edm, v-prediction, vp or ve");
            };
            objective.set("preconditioning", TrainConfigs.toTree(p));
            objective.set("noise", TrainConfigs.toTree(p.defaultNoise()));
        }
        ObjectNode optimisation = f.putObject("optimisation");
        putIf(optimisation, "lr", lr);
        putIf(optimisation, "emaDecay", emaDecay);
        putIf(optimisation, "lrDecay", lrDecay);
        if (freeze != null) {
            freeze.forEach(optimisation.putArray("frozen")::add);
        }
        putIf(optimisation, "clipNorm", clipNorm);
        putIf(optimisation, "clipping", clipping == null ? null : clipping.toUpperCase(Locale.ROOT));
        putIf(f.putObject("network"), "baseChannels", baseChannels);
        putIf(f, "seed", seed);
        ObjectNode intervals = f.putObject("intervals");
        putIf(intervals, "log", logEvery);
        putIf(intervals, "checkpoint", checkpointEvery);
        putIf(intervals, "samples", sampleEvery);
        return f;
    }

    private static void putIf(ObjectNode node, String field, Object value) {
        if (value != null) {
            node.set(field, TrainConfigs.toTree(value));
        }
    }

    private static Double parseEpsilon(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("inf") || v.equals("infinity")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--epsilon '" + s + "' is not a number or 'inf'");
        }
    }

    private static String textOrNull(ObjectNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static Double numberOrNull(com.fasterxml.jackson.databind.JsonNode node, String field) {
        if (!node.hasNonNull(field)) {
            return null;
        }
        com.fasterxml.jackson.databind.JsonNode v = node.get(field);
        return v.isNumber() ? v.asDouble() : parseEpsilon(v.asText());
    }
}
