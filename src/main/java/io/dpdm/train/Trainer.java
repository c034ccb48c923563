package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.AtomicFiles;
import io.dpdm.DpdmException;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.data.LoadOptions;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.diffusion.Preconditioned;
import io.dpdm.diffusion.UNet;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Adam;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.DpSgd;
import io.dpdm.dp.DpSgdConfig;
import io.dpdm.dp.Ema;
import io.dpdm.dp.PoissonSampler;
import io.dpdm.model.ModelCard;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.model.PrivacyGuarantee;
import io.dpdm.model.Provenance;
import io.dpdm.nn.ParameterStore;
import io.dpdm.privacy.Accountant;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.PrivacyLedger;
import io.dpdm.privacy.PrivacyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training service behind {@code dpdm train}: DPDM's DP-SGD training of a diffusion model
 * (Dockhorn et al. 2023, Algorithm 1) over a run directory. Lifecycle: {@link #start} (fresh run)
 * or {@link #resume} (continue a checkpoint), then {@link #run} once, then {@link #close}.
 * {@link #requestStop} may be called from another thread (Ctrl-C): the loop finishes its current
 * step, writes a checkpoint and returns.
 *
 * <p>Run directory: config.json (resolved config and privacy plan, written before training),
 * README.txt, metrics.jsonl ({@link MetricsLog}), samples/step-NNNNNN.png, checkpoint.zip
 * ({@link RunCheckpoint}). The privacy ledger advances once per logical step, through the
 * DP-SGD step listener, before the step touches any data.
 */
public final class Trainer implements AutoCloseable {
    static final String CONFIG_FILE = "config.json";
    static final String METRICS_FILE = "metrics.jsonl";
    static final String README_FILE = "README.txt";

    private final TrainConfig config;
    private final TrainPlan plan;
    private final Path runDir;
    private final ImageDataset data;
    private final String initFrom;
    private final ParameterStore store;
    private final Preconditioned model;
    private final DenoisingLoss loss;
    private final PrivacyLedger ledger;
    private final StepEngine engine;
    private double wallSecondsBefore;
    private volatile boolean stopRequested;

    /** What a {@link #run} achieved. */
    public record Result(Path runDir, long steps, long plannedSteps, boolean finished, PrivacyGuarantee privacy,
            double wallSeconds) {}

    /** How to run: console progress, and an optional step at which to stop (resumable) early. */
    public record Options(boolean progress, Long stopAtStep) {
        public static Options quiet() {
            return new Options(false, null);
        }
    }

    private Trainer(TrainConfig config, TrainPlan plan, Path runDir, ImageDataset data, String initFrom,
            PrivacyLedger ledger) {
        this.config = config;
        this.plan = plan;
        this.runDir = runDir;
        this.data = data;
        this.initFrom = initFrom;
        this.ledger = ledger;
        checkNetworkFitsData(config.network(), data);
        this.store = new ParameterStore(config.seed());
        UNet net = UNet.create(store, config.network());
        TrainConfig.Objective o = config.objective();
        this.model = new Preconditioned(net, o.preconditioning());
        this.loss = new DenoisingLoss(model, o.noise(), o.draws(), config.network().numClasses(), o.labelDropout(),
                o.augmentation());
        this.engine = buildEngine();
    }

    /** Loads the training split of {@code config.data()}. */
    public static ImageDataset openData(TrainConfig config) {
        return Datasets.open(config.data(), LoadOptions.defaults());
    }

    /**
     * A fresh run in {@code runDir} (created; must not hold a checkpoint). Plans the privacy
     * budget first and refuses a plan that overspends. Writes config.json and README.txt.
     *
     * @param initFrom a checkpoint (file or run directory) whose weights and EMA start this run
     *     (public pre-training; this run's ledger covers only its own steps), or null
     */
    public static Trainer start(TrainConfig config, Path runDir, Path initFrom) {
        if (Files.exists(runDir.resolve(ModelCheckpoint.FILE_IN_RUN))) {
            throw new DpdmException(runDir + " already holds a training run; continue it with --resume " + runDir
                    + " or choose another --out");
        }
        ImageDataset data = openData(config);
        TrainPlan plan = TrainPlan.of(config, data.train().size());
        Trainer t = new Trainer(config, plan, runDir, data, initFrom == null ? "" : initFrom.toString(),
                new PrivacyLedger());
        if (initFrom != null) {
            t.initialiseFrom(initFrom);
        }
        writeRunFiles(runDir, config, plan);
        return t;
    }

    /** Continues the run in {@code runDir} from its checkpoint: same config, plan, ledger and randomness. */
    public static Trainer resume(Path runDir) {
        Path file = ModelCheckpoint.resolve(runDir);
        ParameterStore scratchOwner = new ParameterStore(0);
        try (NDManager scratch = scratchOwner.manager().newSubManager()) {
            RunCheckpoint.Loaded loaded = RunCheckpoint.read(file, scratch);
            RunCheckpoint.State s = loaded.state();
            ImageDataset data = openData(s.config());
            if (data.train().size() != s.plan().datasetSize()) {
                throw new DpdmException(s.config().data() + " now has " + data.train().size()
                        + " training examples but the run was planned for " + s.plan().datasetSize()
                        + "; resume with the same data");
            }
            Trainer t = new Trainer(s.config(), s.plan(), runDir, data, s.initFrom(), s.ledger());
            copyInto(t.store, loaded.params(), file + " params");
            t.engine.restore(s.state(), loaded.engineArrays());
            if (t.ledger.totalSteps() != (s.config().isPrivate() ? s.state().step() : 0)) {
                throw new DpdmException(file + ": ledger records " + t.ledger.totalSteps() + " steps but the run took "
                        + s.state().step());
            }
            t.wallSecondsBefore = s.wallSeconds();
            return t;
        } finally {
            scratchOwner.close();
        }
    }

    public TrainConfig config() {
        return config;
    }

    public TrainPlan plan() {
        return plan;
    }

    /** Logical steps completed. */
    public long steps() {
        return engine.steps();
    }

    /** Asks the loop to stop after the current step (and checkpoint); safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains until the plan's last step, a stop request or {@code options.stopAtStep()}; always checkpoints. */
    public Result run(Options options) {
        long total = plan.steps();
        long stopAt = options.stopAtStep() == null ? total : Math.min(total, options.stopAtStep());
        TrainConfig.Intervals every = config.intervals();
        // The configured accountant, not the cheaper but looser RDP: an RDP figure above the target
        // would contradict the PRV plan. PRV costs ~0.1 s per log line, small against a step.
        Accountant accountant = Accountants.byName(config.privacy().accountant());
        long sessionStart = System.nanoTime();
        long lastCheckpoint = engine.steps();
        Window window = new Window();
        try (MetricsLog metrics = new MetricsLog(runDir.resolve(METRICS_FILE), engine.steps());
                Progress progress = Progress.create(options.progress(), total, engine.steps());
                SampleGrid grid = new SampleGrid(store, model, data.shape(), classNames())) {
            while (engine.steps() < stopAt && !stopRequested) {
                long t = engine.steps();
                DenoisingSource source = new DenoisingSource(store, loss, data.train(), config.seed(), t);
                long begin = System.nanoTime();
                int batch = engine.step(source);
                window.add(source, batch, System.nanoTime() - begin);
                long done = t + 1;
                double wall = wallSecondsBefore + (System.nanoTime() - sessionStart) / 1e9;
                progress.step(done);
                if (done % every.log() == 0 || done == total) {
                    double eps = config.isPrivate() ? spent(accountant).epsilon() : Double.POSITIVE_INFINITY;
                    metrics.append(window.record(done, eps, config.objective().draws(), wall));
                    progress.update(done, eps);
                    window = new Window();
                }
                if (done % every.checkpoint() == 0 || done == total) {
                    checkpoint(wall);
                    lastCheckpoint = done;
                }
                if ((every.samples() > 0 && done % every.samples() == 0 || done == total) && !stopRequested) {
                    grid.write(samplePath(done), engine.ema().weights());
                }
            }
            double wall = wallSecondsBefore + (System.nanoTime() - sessionStart) / 1e9;
            if (lastCheckpoint != engine.steps()) {
                checkpoint(wall);
            }
            return new Result(runDir, engine.steps(), total, engine.steps() == total, guarantee(), wall);
        }
    }

    @Override
    public void close() {
        store.close();
    }

    /** Adam, EMA and DP-SGD (or its non-private twin) over the live parameters. */
    private StepEngine buildEngine() {
        Map<String, NDArray> params = store.asMap();
        TrainConfig.Optimisation o = config.optimisation();
        Adam adam = new Adam(params, o.lr());
        Ema ema = new Ema(params, o.emaDecay());
        if (!config.isPrivate()) {
            PoissonSampler sampler = new PoissonSampler(plan.datasetSize(), plan.sampleRate());
            return new NonPrivateStep(params, adam, ema, DpRandom.seeded(config.seed()), sampler,
                    config.schedule().microBatchSize());
        }
        DpSgdConfig dp = new DpSgdConfig(plan.datasetSize(), plan.sampleRate(), plan.noiseMultiplier(), o.clipNorm(),
                o.clipping(), config.schedule().microBatchSize());
        DpRandom random = config.privacy().secureNoise() ? DpRandom.secure() : DpRandom.seeded(config.seed());
        return StepEngine.of(new DpSgd(dp, params, adam, ema, random, this::account));
    }

    /** The ledger hook: one phase step per logical step, never beyond the plan. */
    private void account(double q, double sigma) {
        if (ledger.totalSteps() >= plan.steps()) {
            throw new IllegalStateException("the privacy plan allows " + plan.steps() + " steps; refusing step "
                    + (ledger.totalSteps() + 1));
        }
        ledger.append(q, sigma);
    }

    /** Weights and EMA from another run's checkpoint; optimizer and ledger stay fresh. */
    private void initialiseFrom(Path checkpoint) {
        try (NDManager scratch = store.manager().newSubManager()) {
            ModelCheckpoint.Loaded init = ModelCheckpoint.read(checkpoint, scratch);
            if (!init.card().network().equals(config.network())) {
                throw new DpdmException(init.file() + ": --init-from network " + init.card().network()
                        + " differs from this run's network " + config.network());
            }
            copyInto(store, init.params(), init.file() + " params");
            Map<String, NDArray> ema = new java.util.LinkedHashMap<>();
            init.ema().forEach((name, a) -> ema.put("ema/" + name, a));
            engine.ema().restore(0, ema);
        }
    }

    private static void copyInto(ParameterStore store, Map<String, NDArray> values, String what) {
        Map<String, NDArray> params = store.asMap();
        if (!values.keySet().equals(params.keySet())) {
            throw new DpdmException(what + ": parameter names differ from this network's");
        }
        params.forEach((name, p) -> {
            NDArray v = values.get(name);
            if (!v.getShape().equals(p.getShape())) {
                throw new DpdmException(what + ": parameter " + name + " has shape " + v.getShape() + ", expected "
                        + p.getShape());
            }
            v.toType(p.getDataType(), false).copyTo(p);
        });
    }

    private static void checkNetworkFitsData(UNetConfig net, ImageDataset data) {
        ImageShape s = data.shape();
        if (s.height() != s.width() || net.imageSize() != s.height() || net.channels() != s.channels()) {
            throw new DpdmException("network is for " + net.channels() + "x" + net.imageSize() + "x" + net.imageSize()
                    + " images but " + data.name() + " has " + s + " images");
        }
        if (net.numClasses() != 0 && net.numClasses() != data.numClasses()) {
            throw new DpdmException("network.numClasses " + net.numClasses() + " must be 0 (unconditional) or "
                    + data.name() + "'s " + data.numClasses() + " classes");
        }
    }

    private List<String> classNames() {
        return config.network().conditional() ? data.classNames() : List.of();
    }

    private PrivacyResult spent(Accountant accountant) {
        return ledger.epsilon(config.privacy().delta(), accountant);
    }

    /** The model's guarantee, with the configured accountant. */
    private PrivacyGuarantee guarantee() {
        if (!config.isPrivate()) {
            return PrivacyGuarantee.nonPrivate(config.privacy().delta());
        }
        PrivacyResult r = spent(Accountants.byName(config.privacy().accountant()));
        String note = r.note();
        if (!initFrom.isEmpty()) {
            String init = "covers only training after initialisation from " + initFrom
                    + " (assumed public: its own guarantee, if any, is not included)";
            note = note.isEmpty() ? init : note + "; " + init;
        }
        return new PrivacyGuarantee(r.epsilon(), r.delta(), r.accountant(), ledger.copy(), note);
    }

    private ModelCard card() {
        long seed = config.privacy().secureNoise() ? -1 : config.seed();
        return new ModelCard(config.network(), config.objective().preconditioning(), classNames(), config.data(),
                guarantee(), new Provenance(Provenance.SOFTWARE, Provenance.ENGINE, seed, engine.steps(), initFrom));
    }

    private void checkpoint(double wallSeconds) {
        RunCheckpoint.State state = new RunCheckpoint.State(config, plan, engine.state(), ledger.copy(), initFrom,
                wallSeconds);
        RunCheckpoint.write(runDir.resolve(ModelCheckpoint.FILE_IN_RUN), card(), state, store.asMap(),
                engine.ema().weights(), engine.stateArrays());
    }

    private Path samplePath(long step) {
        return runDir.resolve("samples").resolve(String.format(Locale.ROOT, "step-%06d.png", step));
    }

    private static void writeRunFiles(Path runDir, TrainConfig config, TrainPlan plan) {
        ObjectNode out = TrainConfigs.toTree(config);
        out.set("plan", TrainConfigs.JSON.valueToTree(plan));
        AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), out.toPrettyString() + "\n");
        AtomicFiles.writeString(runDir.resolve(README_FILE), String.join("\n",
                "dpdm training run.",
                "config.json: the resolved configuration and privacy plan. checkpoint.zip: weights, EMA, optimizer,",
                "DP-SGD state and privacy ledger (resume with: dpdm train --resume <this directory>).",
                "metrics.jsonl: training loss and throughput. The loss and any other statistic computed on the",
                "private data is NOT covered by the differential privacy guarantee: keep it in this directory,",
                "never publish it or copy it into released artifacts. The model card in checkpoint.zip holds none.",
                "samples/: grids drawn from the EMA weights (post-processing; covered by the guarantee).", ""));
    }

    /** Loss and throughput accumulated between two metrics lines (private-data statistics). */
    private static final class Window {
        private double lossSum;
        private long examples;
        private long nanos;
        private int steps;

        void add(DenoisingSource source, int batch, long stepNanos) {
            if (source.examples() > 0) {
                lossSum += source.meanLoss() * source.examples();
            }
            examples += batch;
            nanos += stepNanos;
            steps++;
        }

        ObjectNode record(long step, double epsilon, int draws, double wallSeconds) {
            ObjectNode r = TrainConfigs.JSON.createObjectNode();
            r.put("step", step);
            r.put("loss", examples == 0 ? null : lossSum / examples);
            r.put("epsilon", epsilon);
            r.put("examples", examples);
            r.put("drawsPerSecond", nanos == 0 ? 0 : examples * (double) draws / (nanos / 1e9));
            r.put("secondsPerStep", nanos / 1e9 / steps);
            r.put("wallSeconds", wallSeconds);
            return r;
        }
    }
}
