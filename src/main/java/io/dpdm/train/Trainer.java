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
import io.dpdm.dp.KeyMode;
import io.dpdm.dp.PoissonSampler;
import io.dpdm.dp.StepReport;
import io.dpdm.model.ModelCard;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.model.PrivacyGuarantee;
import io.dpdm.model.Provenance;
import io.dpdm.model.PublicModels;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import io.dpdm.privacy.Accountant;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.PrivacyLedger;
import io.dpdm.privacy.PrivacyResult;
import io.dpdm.warmstart.CentralImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
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
 * README.txt, metrics.jsonl ({@link MetricsLog}) and checkpoint.zip ({@link RunCheckpoint}) are
 * the operator's run state; model.zip ({@link ModelCheckpoint#write}) and samples/step-NNNNNN.png
 * are releases. The privacy ledger advances once per logical step, through the DP-SGD step
 * listener, before the step touches any data, and no release runs ahead of it: model.zip and
 * every grid are written only right after a checkpoint that covers them.
 */
public final class Trainer implements AutoCloseable {
    static final String CONFIG_FILE = "config.json";
    static final String METRICS_FILE = "metrics.jsonl";
    static final String README_FILE = "README.txt";
    /** The released central images of a warm start (a release: written after the checkpoint covering it). */
    public static final String RELEASED_FILE = "warm-start-release.png";
    /** Warm-start steps between checkpoints. */
    private static final int WARM_CHECKPOINT = 200;

    private final TrainConfig config;
    private final TrainPlan plan;
    private final Path runDir;
    private final ImageDataset data;
    private final String dataFingerprint;
    private final InitialModel initialModel;
    private final DpRandom random;
    private final ParameterStore store;
    private final Preconditioned model;
    private final DenoisingLoss loss;
    private final PrivacyLedger ledger;
    private final StepEngine engine;
    private WarmStartPhase warm;
    /** The run's precision, as the operator is told it (with the timings when AUTO chose it). */
    private String precision;
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

    /**
     * What to start from instead of random weights ({@code --init-from}).
     *
     * @param model a model file (model.zip or checkpoint.zip) or a run directory
     * @param outsideGuarantee accept a non-private model of the same data, which the guarantee
     *     then excludes (see {@link InitialModel})
     */
    public record Initialisation(Path model, boolean outsideGuarantee) {}

    private Trainer(TrainConfig config, TrainPlan plan, Path runDir, ImageDataset data, String dataFingerprint,
            InitialModel initialModel, PrivacyLedger ledger, DpRandom random) {
        this.config = config;
        this.plan = plan;
        this.runDir = runDir;
        this.data = data;
        this.dataFingerprint = dataFingerprint;
        this.initialModel = initialModel;
        this.ledger = ledger;
        this.random = random;
        checkNetworkFitsData(config.network(), data);
        this.store = new ParameterStore(config.seed());
        UNet net = UNet.create(store, config.network());
        store.freeze(config.optimisation().frozen()); // checked by prepare
        TrainConfig.Objective o = config.objective();
        this.model = new Preconditioned(net, o.preconditioning());
        this.loss = denoisingLoss(config, model);
        store.usePrecision(config.schedule().precision());
        this.precision = config.schedule().precision().name().toLowerCase(java.util.Locale.ROOT);
        this.engine = buildEngine();
    }

    /** The config's per-example loss of {@code model}. */
    static DenoisingLoss denoisingLoss(TrainConfig config, Preconditioned model) {
        TrainConfig.Objective o = config.objective();
        return new DenoisingLoss(model, o.noise(), o.draws(), config.network().numClasses(), o.labelDropout(),
                o.augmentation());
    }

    /** Loads the training split of {@code config.data()}. */
    public static ImageDataset openData(TrainConfig config) {
        return Datasets.open(config.data(), LoadOptions.defaults());
    }

    /**
     * A fresh run in {@code runDir}, which must not exist or be empty. Plans the privacy budget
     * first, counting what an initial model of the same data released, and refuses a plan that
     * overspends. Draws the run's keys (a new secret unless {@code config.privacy().keys()} says
     * otherwise). Writes config.json and README.txt.
     *
     * @param initialisation the model whose weights and EMA start this run, or null
     */
    public static Trainer start(TrainConfig given, Path runDir, Initialisation initialisation) {
        refuseNonEmpty(runDir);
        TrainConfig requested = requested(given, initialisation);
        try (NDManager scratch = Torch.engine().newBaseManager()) {
            Prepared p = prepare(requested, initialisation, scratch); // refuses bad data or an overspending plan first
            PrecisionChoice.Resolved resolved = PrecisionChoice.resolve(requested);
            TrainConfig config = resolved.config();
            DpRandom random = switch (config.privacy().keys()) {
                case RUN_SECRET -> DpRandom.newRunSecret();
                case FRESH -> DpRandom.fresh();
                case PUBLIC_SEED -> DpRandom.publicSeed(config.seed());
            };
            Trainer t = new Trainer(config, p.plan(), runDir, p.data(), p.fingerprint(), p.judged(),
                    new PrivacyLedger(p.plan().prior()), random);
            t.precision = resolved.description();
            if (p.init() != null) {
                t.initialiseFrom(p.init());
            }
            writeRunFiles(runDir, config, p.plan());
            if (config.warmStart() != null) {
                t.warm = WarmStartPhase.release(config, p.data(), random, t.store, t.loss, t.engine.ema());
                t.checkpoint(0); // covers the release before its images are written
                t.warm.writeReleased(runDir.resolve(RELEASED_FILE), p.data().classNames());
            }
            return t;
        }
    }

    /** The plan {@link #start} would make (e.g. for a dry run), without touching any run directory. */
    public static TrainPlan plan(TrainConfig config, Initialisation initialisation) {
        try (NDManager scratch = Torch.engine().newBaseManager()) {
            return prepare(replacePublicStart(config, initialisation), initialisation, scratch).plan();
        }
    }

    /**
     * The config as {@link #start} writes it to config.json (e.g. for a dry run), without touching
     * any run directory: AUTO precision is resolved by timing ({@link PrecisionChoice}).
     */
    public static TrainConfig resolved(TrainConfig given, Initialisation initialisation) {
        return PrecisionChoice.resolve(requested(given, initialisation)).config();
    }

    /** What a run asks for: an explicit initial model in place of the public start, its pass size fixed. */
    private static TrainConfig requested(TrainConfig given, Initialisation initialisation) {
        return replacePublicStart(given, initialisation).withPassSizeFixed();
    }

    /** An explicit initial model replaces the config's public start, and config.json says so. */
    private static TrainConfig replacePublicStart(TrainConfig c, Initialisation initialisation) {
        return initialisation == null || c.publicStart() == null ? c
                : new TrainConfig(c.data(), c.privacy(), c.schedule(), c.objective(), c.optimisation(), c.network(),
                        c.seed(), c.intervals(), c.warmStart(), null);
    }

    /** A run's inputs: its data, the initial model (arrays in the caller's manager) and the plan. */
    private record Prepared(ImageDataset data, String fingerprint, ModelCheckpoint.Loaded init, InitialModel judged,
            TrainPlan plan) {}

    private static Prepared prepare(TrainConfig config, Initialisation initialisation, NDManager scratch) {
        ImageDataset data = openData(config);
        String fingerprint = data.fingerprint();
        if (initialisation == null && config.publicStart() != null) {
            initialisation = new Initialisation(PublicModels.installed()
                    .orElseThrow(() -> new DpdmException("publicStart '" + config.publicStart() + "': dpdm.home is"
                            + " not set, so the shipped models (data/" + PublicModels.INDEX + ") cannot be found"))
                    .file(config.publicStart()), false);
        }
        ModelCheckpoint.Loaded init = initialisation == null ? null
                : ModelCheckpoint.read(initialisation.model(), scratch);
        checkFrozen(config, init != null);
        InitialModel judged = init == null ? null
                : InitialModel.judge(init, initialisation.outsideGuarantee(), data, fingerprint);
        List<io.dpdm.privacy.Phase> prior = new java.util.ArrayList<>(judged == null ? List.of() : judged.prior());
        if (config.warmStart() != null) {
            ImageShape s = data.shape();
            CentralImages release = config.warmStart().release();
            release.checkClassesLargeEnough(data.train().size(), data.numClasses(), s.channels(), s.height(), s.width());
            prior.add(release.phase(s.channels(), s.height(), s.width()));
        }
        TrainPlan plan = TrainPlan.of(config, data.train().size(), prior);
        return new Prepared(data, fingerprint, init, judged, plan);
    }

    /**
     * Continues the run in {@code runDir} from its checkpoint: same config, plan, ledger and keys
     * (a resumed RUN_SECRET run repeats its own draws exactly; a FRESH one draws new keys).
     */
    public static Trainer resume(Path runDir) {
        Path file = runDir.resolve(ModelCheckpoint.FILE_IN_RUN);
        if (!Files.isRegularFile(file)) {
            throw new DpdmException(runDir + ": no " + ModelCheckpoint.FILE_IN_RUN + " (not a dpdm run directory, or"
                    + " it stopped before its first checkpoint: nothing was released, delete it and start again)");
        }
        AtomicFiles.removeLeftovers(runDir);
        AtomicFiles.removeLeftovers(runDir.resolve("samples"));
        ParameterStore scratchOwner = new ParameterStore(0);
        try (NDManager scratch = scratchOwner.manager().newSubManager()) {
            RunCheckpoint.Loaded loaded = RunCheckpoint.read(file, scratch);
            RunCheckpoint.State s = loaded.state();
            ImageDataset data = openData(s.config());
            String fingerprint = data.fingerprint();
            if (data.train().size() != s.plan().datasetSize() || !fingerprint.equals(s.dataFingerprint())) {
                throw new DpdmException(s.config().data() + " is not the data set the run was planned for ("
                        + data.train().size() + " training examples now, " + s.plan().datasetSize()
                        + " then, or other content); resume with the same data");
            }
            DpRandom random = switch (s.config().privacy().keys()) {
                case RUN_SECRET -> {
                    if (s.runSecret() == null) {
                        throw new DpdmException(file + ": holds no run secret; cannot resume its DP randomness");
                    }
                    yield DpRandom.runSecret(HexFormat.of().parseHex(s.runSecret()));
                }
                case FRESH -> DpRandom.fresh();
                case PUBLIC_SEED -> DpRandom.publicSeed(s.config().seed());
            };
            Trainer t = new Trainer(s.config(), s.plan(), runDir, data, fingerprint, s.initialModel(), s.ledger(),
                    random);
            copyInto(t.store, loaded.params(), file + " params");
            t.engine.restore(s.state(), loaded.engineArrays());
            if (s.config().warmStart() != null) {
                t.warm = WarmStartPhase.restore(s.config(), loaded.warmStart(), s.warmStartSteps(), t.store, t.loss,
                        t.engine.ema());
            }
            long expected = s.plan().priorSteps() + (s.config().isPrivate() ? s.state().step() : 0);
            if (t.ledger.totalSteps() != expected) {
                throw new DpdmException(file + ": ledger records " + t.ledger.totalSteps() + " steps but the run took "
                        + s.state().step() + " after " + s.plan().priorSteps() + " earlier ones");
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

    /** The precision of the network's convolutions and products, and how it was chosen. */
    public String precision() {
        return precision;
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
        // The plan's accountant, not the cheaper but looser RDP: an RDP figure above the target
        // would contradict the PRV plan. PRV costs ~0.1 s per log line, small against a step.
        Accountant accountant = planAccountant();
        long sessionStart = System.nanoTime();
        try (MetricsLog metrics = new MetricsLog(runDir.resolve(METRICS_FILE), engine.steps());
                SampleGrid grid = new SampleGrid(store, model, data.shape(), classNames())) {
            if (warm != null && !warm.done()) {
                warmUp(grid, options.progress(), sessionStart);
                if (stopRequested) {
                    return new Result(runDir, engine.steps(), total, false, guarantee(), elapsed(sessionStart));
                }
            }
            runSteps(stopAt, metrics, grid, options.progress(), accountant, sessionStart);
            return new Result(runDir, engine.steps(), total, engine.steps() == total, guarantee(),
                    elapsed(sessionStart));
        }
    }

    private double elapsed(long sessionStart) {
        return wallSecondsBefore + (System.nanoTime() - sessionStart) / 1e9;
    }

    /** The warm start's non-private steps on the released images, checkpointed, then its grid. */
    private void warmUp(SampleGrid grid, boolean progress, long sessionStart) {
        while (!warm.done() && !stopRequested) {
            warm.step();
            if (warm.steps() % WARM_CHECKPOINT == 0 && !warm.done()) {
                checkpoint(elapsed(sessionStart));
                if (progress) {
                    System.err.printf(Locale.ROOT, "train: warm start %d/%d steps on the released images%n",
                            warm.steps(), warm.totalSteps());
                }
            }
        }
        checkpoint(elapsed(sessionStart)); // finished or stopped
        if (warm.done()) {
            grid.write(runDir.resolve("samples").resolve("warm-start.png"), emaWeights());
        }
    }

    /** DP-SGD steps until {@code stopAt} or a stop request; metrics, checkpoints and grids as configured. */
    private void runSteps(long stopAt, MetricsLog metrics, SampleGrid grid, boolean progressEnabled,
            Accountant accountant, long sessionStart) {
        long total = plan.steps();
        TrainConfig.Intervals every = config.intervals();
        long lastCheckpoint = engine.steps();
        Window window = new Window();
        try (Progress progress = Progress.create(progressEnabled, total, engine.steps())) {
            while (engine.steps() < stopAt && !stopRequested) {
                long t = engine.steps();
                DenoisingSource source = new DenoisingSource(store, loss, data.train(), config.schedule().drawsPerPass(loss.draws()));
                long begin = System.nanoTime();
                long cpuBegin = processCpuNanos();
                StepReport report = engine.step(source);
                window.add(source, report, System.nanoTime() - begin, processCpuNanos() - cpuBegin);
                long done = t + 1;
                double wall = elapsed(sessionStart);
                progress.step(done);
                if (done % every.log() == 0 || done == total) {
                    double eps = config.isPrivate() ? spent(accountant).epsilon() : Double.POSITIVE_INFINITY;
                    metrics.append(window.record(done, eps, config.objective().draws(), wall));
                    progress.update(done, eps);
                    window = new Window();
                }
                boolean drawGrid = every.samples() > 0 && (done % every.samples() == 0 || done == total);
                if (drawGrid || done % every.checkpoint() == 0 || done == total) {
                    checkpoint(wall); // before any release of these weights: the saved ledger covers it
                    lastCheckpoint = done;
                }
                if (drawGrid && !stopRequested) {
                    grid.write(samplePath(done), emaWeights());
                }
            }
            double wall = elapsed(sessionStart);
            if (window.steps > 0) { // stopped between metrics lines: keep the partial window
                metrics.append(window.record(engine.steps(),
                        config.isPrivate() ? spent(accountant).epsilon() : Double.POSITIVE_INFINITY,
                        config.objective().draws(), wall));
            }
            if (lastCheckpoint != engine.steps()) {
                checkpoint(wall);
            }
        }
    }

    @Override
    public void close() {
        store.close();
    }

    /** Adam, EMA and DP-SGD (or its non-private twin) over the trained parameters. */
    private StepEngine buildEngine() {
        Map<String, NDArray> params = store.trained();
        TrainConfig.Optimisation o = config.optimisation();
        Adam adam = new Adam(params, o.learningRate(plan.steps()));
        Ema ema = new Ema(params, o.emaDecay());
        if (!config.isPrivate()) {
            PoissonSampler sampler = new PoissonSampler(plan.datasetSize(), plan.sampleRate());
            return new NonPrivateStep(params, adam, ema, random, sampler, config.passSize());
        }
        DpSgdConfig dp = new DpSgdConfig(plan.datasetSize(), plan.sampleRate(), plan.noiseMultiplier(), o.clipNorm(),
                o.clipping(), config.passSize());
        return StepEngine.of(new DpSgd(dp, params, adam, ema, random, this::account));
    }

    /** Every parameter's released (EMA) weights: a frozen one's are its values, which never change. */
    private Map<String, NDArray> emaWeights() {
        Map<String, NDArray> averages = engine.ema().weights();
        Map<String, NDArray> weights = new java.util.LinkedHashMap<>();
        store.asMap().forEach((name, p) -> weights.put(name, averages.getOrDefault(name, p)));
        return weights;
    }

    /** The ledger hook: one phase step per logical step, never beyond the plan. */
    private void account(double q, double sigma) {
        if (ledger.totalSteps() >= plan.priorSteps() + plan.steps()) {
            throw new IllegalStateException("the privacy plan allows " + plan.steps() + " steps; refusing step "
                    + (ledger.totalSteps() + 1));
        }
        ledger.append(q, sigma);
    }

    /** Weights and EMA from the initial model; the optimizer starts fresh. */
    private void initialiseFrom(ModelCheckpoint.Loaded init) {
        if (!init.card().network().equals(config.network())) {
            throw new DpdmException(init.file() + ": --init-from network " + init.card().network()
                    + " differs from this run's network " + config.network());
        }
        copyInto(store, init.params(), init.file() + " params");
        Map<String, NDArray> ema = new java.util.LinkedHashMap<>();
        init.ema().forEach((name, a) -> ema.put("ema/" + name, a));
        engine.ema().restore(0, ema);
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

    /** The frozen names exist in the network, leave something to train, and have a starting model to keep. */
    private static void checkFrozen(TrainConfig config, boolean startingModel) {
        List<String> frozen = config.optimisation().frozen();
        if (frozen.isEmpty()) {
            return;
        }
        if (!startingModel) {
            throw new DpdmException("optimisation.frozen " + frozen + " needs a starting model (--init-from, or a"
                    + " preset's public start): frozen random weights would stay random");
        }
        try (ParameterStore names = new ParameterStore(0)) {
            UNet.create(names, config.network());
            names.freeze(frozen);
        } catch (IllegalArgumentException e) {
            throw new DpdmException("optimisation.frozen: " + e.getMessage());
        }
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

    /** The accountant the plan used (RDP if PRV fell back while planning), so plan and release agree. */
    private Accountant planAccountant() {
        return config.isPrivate() ? Accountants.byName(plan.accountant()) : Accountants.byName(Accountants.DEFAULT);
    }

    /** The model's guarantee, with the plan's accountant; none when the keys are public. */
    private PrivacyGuarantee guarantee() {
        if (!config.isPrivate()) {
            return PrivacyGuarantee.nonPrivate(config.privacy().delta());
        }
        if (!config.privacy().keys().secret()) {
            return new PrivacyGuarantee(Double.POSITIVE_INFINITY, config.privacy().delta(), "none", ledger.copy(),
                    "NO GUARANTEE: the DP noise, batches and per-example draws come from keys derived from the public"
                            + " seed (keys PUBLIC_SEED, for tests and debugging); the ledger records the mechanism as run");
        }
        PrivacyResult r = spent(planAccountant());
        String note = r.note();
        if (!r.accountant().equals(plan.accountant())) {
            note = join(note, "computed with " + r.accountant() + " where the plan used " + plan.accountant());
        }
        if (initialModel != null) {
            note = join(note, initialModel.guaranteeNote());
        }
        return new PrivacyGuarantee(r.epsilon(), r.delta(), r.accountant(), ledger.copy(), note);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
    }

    private ModelCard card() {
        String randomness = switch (config.privacy().keys()) {
            case RUN_SECRET -> Provenance.SECRET_RUN_KEY;
            case FRESH -> Provenance.SECURE_FRESH_KEYS;
            case PUBLIC_SEED -> Provenance.PUBLIC_SEED;
        };
        return new ModelCard(config.network(), config.objective().preconditioning(), classNames(), data.name(),
                guarantee(), new Provenance(Provenance.SOFTWARE, Provenance.ENGINE, config.seed(), engine.steps(),
                        randomness, initialModel == null ? "" : initialModel.description()));
    }

    /** The operator's checkpoint first, then the shareable model it covers (both atomic). */
    private void checkpoint(double wallSeconds) {
        String secret = random.mode() == KeyMode.RUN_SECRET ? HexFormat.of().formatHex(random.runSecret()) : null;
        RunCheckpoint.State state = new RunCheckpoint.State(config, plan, engine.state(), ledger.copy(), initialModel,
                wallSeconds, secret, dataFingerprint, warm == null ? 0 : warm.steps());
        ModelCard card = card();
        try (NDManager scratch = store.manager().newSubManager()) {
            RunCheckpoint.write(runDir.resolve(ModelCheckpoint.FILE_IN_RUN), card, state, store.asMap(),
                    emaWeights(), engine.stateArrays(), warm == null ? Map.of() : warm.arrays(scratch));
        }
        ModelCheckpoint.write(runDir.resolve(ModelCheckpoint.MODEL_IN_RUN), card, store.asMap(),
                emaWeights());
    }

    private static void refuseNonEmpty(Path runDir) {
        if (!Files.exists(runDir)) {
            return;
        }
        boolean empty;
        try (var entries = Files.list(runDir)) {
            empty = entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new DpdmException(runDir + ": not a folder that can be used as a run directory (" + e.getMessage() + ")");
        }
        if (!empty) {
            throw new DpdmException(runDir + " is not empty; a new run needs a new or empty --out folder"
                    + (Files.exists(runDir.resolve(ModelCheckpoint.FILE_IN_RUN)) ? " (continue this run with --resume "
                            + runDir + ")" : ""));
        }
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
                "",
                "SHAREABLE (covered by the differential privacy guarantee):",
                "  model.zip: the model (weights, EMA, model card with the guarantee and ledger), nothing else.",
                "  samples/: grids drawn from the EMA weights (post-processing).",
                "",
                "OPERATOR-ONLY (never share, never copy into released artifacts):",
                "  checkpoint.zip: weights, optimizer, config with the data's path, ledger, a fingerprint of the",
                "    private data, and the SECRET KEY of the run's DP noise, batches and per-example draws: whoever",
                "    holds it can regenerate the noise and void the guarantee. Resume with:",
                "    dpdm train --resume <this directory>",
                "  config.json: the resolved configuration (with the data's path) and privacy plan.",
                "  metrics.jsonl: training loss, share of clipped examples and throughput. The loss, the clipped",
                "    share and any other statistic computed on the private data are NOT covered by the guarantee.", ""));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Loss and throughput accumulated between two metrics lines (private-data statistics). */
    private static final class Window {
        private double lossSum;
        private long examples;
        private long clipped;
        private long nanos;
        private long cpuNanos;
        private int steps;

        void add(DenoisingSource source, StepReport report, long stepNanos, long stepCpuNanos) {
            cpuNanos += stepCpuNanos;
            if (source.examples() > 0) {
                lossSum += source.meanLoss() * source.examples();
            }
            examples += report.batchSize();
            clipped += report.clippedExamples();
            nanos += stepNanos;
            steps++;
        }

        ObjectNode record(long step, double epsilon, int draws, double wallSeconds) {
            ObjectNode r = TrainConfigs.JSON.createObjectNode();
            r.put("step", step);
            r.put("loss", examples == 0 ? null : lossSum / examples);
            r.put("epsilon", epsilon);
            r.put("examples", examples);
            // Share of examples whose gradient norm exceeded the clip norm (0 without DP): the operator's guide to the clip norm.
            r.put("clippedFraction", examples == 0 ? 0 : clipped / (double) examples);
            r.put("drawsPerSecond", nanos == 0 ? 0 : examples * (double) draws / (nanos / 1e9));
            r.put("secondsPerStep", nanos / 1e9 / steps);
            // CPU time of the whole process (all engine threads): comparable across machine loads.
            r.put("cpuSecondsPerStep", cpuNanos / 1e9 / steps);
            r.put("wallSeconds", wallSeconds);
            return r;
        }
    }
}
