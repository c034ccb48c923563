package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageSplit;
import io.dpdm.data.LoadOptions;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.diffusion.Preconditioned;
import io.dpdm.diffusion.UNet;
import io.dpdm.model.CheckpointFile;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.nn.BatchRandomness;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Torch;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The training service end to end on a tiny network and a 24-image data set. */
class TrainerTest {
    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void data() {
        Torch.engine();
        data = TinyRuns.dataset(shared.resolve("tiny-idx"));
    }

    private static Trainer.Result train(TrainConfig config, Path dir, Long stopAt) {
        try (Trainer t = Trainer.start(config, dir, null)) {
            return t.run(new Trainer.Options(false, stopAt));
        }
    }

    private static final long STEPS = 12;

    /** Full batches (q = 1): every step sees all 24 images, so the fixed-batch loss must fall. */
    @Test
    void nonPrivateStepsLowerTheLossOnAFixedBatch(@TempDir Path dir) throws Exception {
        TrainConfig base = TinyRuns.config(data, Double.POSITIVE_INFINITY, STEPS);
        TrainConfig config = new TrainConfig(base.data(), base.privacy(), new TrainConfig.Schedule(24, null, STEPS, 24),
                base.objective(), base.optimisation(), base.network(), base.seed(),
                new TrainConfig.Intervals(1, (int) STEPS, (int) STEPS));
        train(config, dir, null);
        try (ParameterStore store = new ParameterStore(config.seed());
                NDManager m = store.manager().newSubManager()) {
            UNet net = UNet.create(store, config.network()); // the initial weights: same seed as training
            double before = fixedBatchLoss(config, store, net, m);
            Map<String, NDArray> trained = ModelCheckpoint.read(dir, m).params();
            trained.forEach((name, a) -> a.copyTo(store.get(name)));
            double after = fixedBatchLoss(config, store, net, m);
            assertTrue(after < 0.9 * before, "loss before " + before + ", after " + STEPS + " steps " + after);
        }
        assertEquals(STEPS, MetricsLog.read(dir.resolve(Trainer.METRICS_FILE)).size());
        assertTrue(Files.exists(dir.resolve(String.format("samples/step-%06d.png", STEPS))));
        for (String operatorOnly : List.of(Trainer.METRICS_FILE, "checkpoint.zip", "config.json")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve(operatorOnly))), operatorOnly);
        }
    }

    /** Mean denoising loss of all 24 images, 8 draws each, with fixed randomness. */
    private static double fixedBatchLoss(TrainConfig c, ParameterStore store, UNet net, NDManager m) {
        ImageSplit train = Datasets.open(data, LoadOptions.defaults()).train();
        int[] all = java.util.stream.IntStream.range(0, train.size()).toArray();
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(net, c.objective().preconditioning()),
                c.objective().noise(), 8, 2, 0, c.objective().augmentation());
        NDArray x0 = train.images(m, all);
        NDArray perExample = Gradients.forward(m, store, all.length, 8,
                w -> loss.perExample(w, x0, train.labels(), BatchRandomness.seeded(99, all.length, 8)));
        return perExample.mean().getFloat();
    }

    /**
     * A run stopped at step 2 and continued in memory (the straight run) against a copy of its
     * step-2 checkpoint resumed from disk: same key, so every batch, noise vector and per-example
     * draw repeats, and the weights, EMA and optimizer state must agree bit for bit.
     */
    /** In bfloat16 too: the resumed run reads its precision from its checkpointed config. */
    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32", "BF16"})
    void resumeRepeatsItsOwnStraightRunBitForBit(Precision precision, @TempDir Path dir) throws Exception {
        TrainConfig tiny = TinyRuns.config(data, 8, 4);
        TrainConfig config = tiny.withSchedule(tiny.schedule().withPrecision(precision));
        Path straight = dir.resolve("straight");
        Path copy = dir.resolve("copy");
        try (Trainer t = Trainer.start(config, straight, null)) {
            assertFalse(t.run(new Trainer.Options(false, 2L)).finished());
            copyTree(straight, copy);
            assertTrue(t.run(Trainer.Options.quiet()).finished());
        }
        try (Trainer resumed = Trainer.resume(copy)) {
            assertEquals(2, resumed.steps());
            assertEquals(precision.name().toLowerCase(), resumed.precision());
            assertTrue(resumed.run(Trainer.Options.quiet()).finished());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            CheckpointFile.Contents a = assertSameCheckpoints(straight, copy, m);
            assertEquals(List.of(new Phase(8.0 / TinyRuns.N, planSigma(a.meta()), 4)),
                    io.dpdm.privacy.PrivacyLedger.fromJson(a.meta().get("ledger").toString()).phases());
        }
        List<ObjectNode> metrics = MetricsLog.read(copy.resolve(Trainer.METRICS_FILE));
        assertEquals(List.of(1L, 2L, 3L, 4L), metrics.stream().map(r -> r.get("step").asLong()).toList());
    }

    /** The two runs' checkpoints agree bit for bit: weights, EMA, optimizer, ledger, state, secret; returns the first. */
    private static CheckpointFile.Contents assertSameCheckpoints(Path straight, Path resumed, NDManager m) {
        CheckpointFile.Contents a = CheckpointFile.read(straight.resolve(ModelCheckpoint.FILE_IN_RUN), m);
        CheckpointFile.Contents b = CheckpointFile.read(resumed.resolve(ModelCheckpoint.FILE_IN_RUN), m);
        for (String group : List.of("params", "ema", "optimizer")) {
            Map<String, NDArray> ga = a.tensors().get(group);
            Map<String, NDArray> gb = b.tensors().get(group);
            assertEquals(ga.keySet(), gb.keySet());
            ga.forEach((name, x) -> assertArrayEquals(x.toFloatArray(), gb.get(name).toFloatArray(), 0f,
                    group + "/" + name));
        }
        for (String field : List.of("ledger", "state", "runSecret")) {
            assertEquals(a.meta().get(field), b.meta().get(field), field);
        }
        return a;
    }

    /**
     * AUTO precision and an unset pass size are decided before the run starts; config.json holds
     * the decisions, never AUTO or null.
     */
    @Test
    void autoPrecisionAndPassSizeAreResolvedAtStartAndKeptInConfigJson(@TempDir Path dir) {
        TrainConfig tiny = TinyRuns.config(data, 8, 1);
        TrainConfig.Schedule s = tiny.schedule();
        TrainConfig config = tiny.withSchedule(
                new TrainConfig.Schedule(s.batchSize(), s.epochs(), s.steps(), null, null, Precision.AUTO));
        String told;
        try (Trainer t = Trainer.start(config, dir, null)) {
            told = t.precision();
        }
        TrainConfig.Schedule written = TrainConfigs.fromTree(
                TrainConfigs.readTree(dir.resolve(Trainer.CONFIG_FILE)).without("plan"), Trainer.CONFIG_FILE).schedule();
        assertEquals(8, written.microBatchSize()); // the whole batch: 8 examples of an 8x8 nf 8 network fit 8 MiB
        assertTrue(written.precision() == Precision.FP32 || written.precision() == Precision.BF16,
                "config.json says " + written.precision());
        assertTrue(told.startsWith(written.precision().name().toLowerCase() + " (auto: "), told);
    }

    /** Two default runs with identical arguments: different secrets, so different batches and noise. */
    @Test
    void defaultRunsDrawTheirOwnSecretNoiseAndBatches(@TempDir Path dir) {
        TrainConfig config = TinyRuns.config(data, 8, 2);
        train(config, dir.resolve("a"), null);
        train(config, dir.resolve("b"), null);
        try (NDManager m = Torch.engine().newBaseManager()) {
            CheckpointFile.Contents a = CheckpointFile.read(dir.resolve("a").resolve(ModelCheckpoint.FILE_IN_RUN), m);
            CheckpointFile.Contents b = CheckpointFile.read(dir.resolve("b").resolve(ModelCheckpoint.FILE_IN_RUN), m);
            assertFalse(a.meta().get("runSecret").asText().equals(b.meta().get("runSecret").asText()));
            NDArray wa = a.tensors().get("params").values().iterator().next();
            NDArray wb = b.tensors().get("params").values().iterator().next();
            assertFalse(java.util.Arrays.equals(wa.toFloatArray(), wb.toFloatArray()), "same weights after 2 steps");
        }
        // The batches themselves: the SAMPLING streams of the two kept secrets differ at every step.
        io.dpdm.dp.PoissonSampler sampler = new io.dpdm.dp.PoissonSampler(TinyRuns.N, 0.5);
        io.dpdm.dp.DpRandom ra = io.dpdm.dp.DpRandom.runSecret(secret(dir.resolve("a")));
        io.dpdm.dp.DpRandom rb = io.dpdm.dp.DpRandom.runSecret(secret(dir.resolve("b")));
        assertFalse(java.util.Arrays.equals(sampler.sample(ra, 0), sampler.sample(rb, 0)));
    }

    static byte[] secret(Path run) {
        try (NDManager m = Torch.engine().newBaseManager()) {
            return java.util.HexFormat.of().parseHex(CheckpointFile.read(run.resolve(ModelCheckpoint.FILE_IN_RUN), m)
                    .meta().get("runSecret").asText());
        }
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static double planSigma(JsonNode meta) {
        return meta.get("plan").get("noiseMultiplier").asDouble();
    }

    /**
     * metrics.jsonl's clippedFraction counts the examples whose gradient norm exceeded C: all of
     * them at C = 1e-6 (no denoising gradient is that small), none at C = 1e6, and none without DP.
     */
    @Test
    void clippedFractionCountsTheExamplesAboveTheClipNorm(@TempDir Path dir) throws Exception {
        TrainConfig tiny = TinyRuns.config(data, 8, 2);
        Map<Double, Double> expected = Map.of(1e-6, 1.0, 1e6, 0.0);
        for (Map.Entry<Double, Double> e : expected.entrySet()) {
            TrainConfig.Optimisation o = tiny.optimisation();
            TrainConfig config = new TrainConfig(tiny.data(), tiny.privacy(), tiny.schedule(), tiny.objective(),
                    new TrainConfig.Optimisation(o.lr(), o.emaDecay(), e.getKey(), o.clipping(), o.lrDecay(), o.frozen()),
                    tiny.network(), tiny.seed(), tiny.intervals());
            Path run = dir.resolve("clip-" + e.getKey());
            train(config, run, null);
            for (ObjectNode row : MetricsLog.read(run.resolve(Trainer.METRICS_FILE))) {
                assertTrue(row.get("examples").asLong() > 0, row.toString());
                assertEquals(e.getValue(), row.get("clippedFraction").asDouble(), 0.0, "C = " + e.getKey() + ": " + row);
            }
        }
        Path plain = dir.resolve("non-private");
        train(TinyRuns.config(data, Double.POSITIVE_INFINITY, 2), plain, null);
        for (ObjectNode row : MetricsLog.read(plain.resolve(Trainer.METRICS_FILE))) {
            assertEquals(0.0, row.get("clippedFraction").asDouble(), 0.0, row.toString());
        }
    }

    @Test
    void checkpointCardHoldsNoPrivateDataStatistics(@TempDir Path dir) throws Exception {
        TrainConfig config = TinyRuns.config(data, 8, 4);
        train(config, dir, null);
        List<ObjectNode> metrics = MetricsLog.read(dir.resolve(Trainer.METRICS_FILE));
        assertTrue(metrics.get(0).has("loss"));
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded model = ModelCheckpoint.read(dir, m);
            String card = model.meta().get(ModelCheckpoint.MODEL).toString();
            for (String banned : List.of("loss", "metric", "drawsPerSecond", "wallSeconds", "clipped")) {
                assertFalse(card.toLowerCase().contains(banned.toLowerCase()), "card mentions " + banned + ": " + card);
            }
            for (ObjectNode row : metrics) {
                assertFalse(card.contains(row.get("loss").asText()), "card holds a loss value");
            }
            // The card states the guarantee independently recomputed from the ledger.
            double sigma = planSigma(CheckpointFile.read(dir.resolve(ModelCheckpoint.FILE_IN_RUN), m).meta());
            double eps = Accountants.byName("rdp").epsilon(8.0 / TinyRuns.N, sigma, 4, 1e-3).epsilon();
            assertEquals(eps, model.card().privacy().epsilon(), 1e-9);
            assertTrue(eps <= 8);
            assertEquals(4, model.card().provenance().step());
        }
        assertTrue(Files.readString(dir.resolve(Trainer.README_FILE)).contains("NOT covered"));
        assertEquals(config, TrainConfigs.fromTree(TrainConfigs.readTree(dir.resolve(Trainer.CONFIG_FILE)).without("plan"),
                "config.json"));
    }

    @Test
    void refusesBudgetsItCannotMeetBeforeTouchingTheRunDirectory(@TempDir Path dir) {
        TrainConfig base = TinyRuns.config(data, 1, 50);
        TrainConfig fixedSigma = new TrainConfig(base.data(), new TrainConfig.Privacy(1, 1e-3, "rdp", 0.5, null),
                base.schedule(), base.objective(), base.optimisation(), base.network(), base.seed(), base.intervals());
        DpdmException e = assertThrows(DpdmException.class, () -> Trainer.start(fixedSigma, dir.resolve("a"), null));
        assertTrue(e.getMessage().startsWith("refusing to start: 50 steps"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("a")));
        TrainConfig impossible = new TrainConfig(base.data(), new TrainConfig.Privacy(0.01, 1e-3, "rdp", null, null),
                base.schedule(), base.objective(), base.optimisation(), base.network(), base.seed(), base.intervals());
        assertThrows(DpdmException.class, () -> Trainer.start(impossible, dir.resolve("b"), null));
        assertFalse(Files.exists(dir.resolve("b")));
    }

    /** A non-private model of the same data voids the guarantee: refused unless accepted, then said. */
    @Test
    void initFromANonPrivateModelOfTheSameDataIsRefusedUnlessAccepted(@TempDir Path dir) {
        Path pre = dir.resolve("public");
        train(TinyRuns.config(data, Double.POSITIVE_INFINITY, 2), pre, null);
        DpdmException refused = assertThrows(DpdmException.class, () -> Trainer.start(TinyRuns.config(data, 8, 2),
                dir.resolve("refused"), new Trainer.Initialisation(pre, false)));
        assertTrue(refused.getMessage().contains("--init-outside-guarantee"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("refused").resolve(ModelCheckpoint.FILE_IN_RUN)));
        Path fine = dir.resolve("private");
        try (Trainer t = Trainer.start(TinyRuns.config(data, 8, 2), fine, new Trainer.Initialisation(pre, true))) {
            t.run(Trainer.Options.quiet());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded model = ModelCheckpoint.read(fine, m);
            assertEquals(2, model.card().privacy().ledger().totalSteps());
            assertTrue(model.card().privacy().note().contains("EXCLUDES the initial model"), model.card().privacy().note());
            assertTrue(model.card().provenance().initialModel().contains("NON-PRIVATE"));
            assertFalse(model.card().provenance().initialModel().contains(pre.toString()), "a path in the card");
        }
    }

    /**
     * A private model of the same data is a release of it: its ledger is composed into the new
     * run's, the noise is calibrated so that the total meets the target, and the card's epsilon
     * is that of both phases together (recomputed here from the two plans).
     */
    @Test
    void initFromAPrivateModelOfTheSameDataComposesItsLedger(@TempDir Path dir) {
        Path first = dir.resolve("first");
        train(TinyRuns.config(data, 4, 3), first, null);
        Path second = dir.resolve("second");
        try (Trainer t = Trainer.start(TinyRuns.config(data, 8, 2), second, new Trainer.Initialisation(first, false))) {
            t.run(Trainer.Options.quiet());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded a = ModelCheckpoint.read(first, m);
            ModelCheckpoint.Loaded b = ModelCheckpoint.read(second, m);
            List<Phase> phases = b.card().privacy().ledger().phases();
            assertEquals(2, phases.size(), phases.toString());
            assertEquals(3, phases.get(0).steps());
            assertTrue(phases.get(0).label().endsWith("(initial model)"));
            assertEquals(a.card().privacy().ledger().phases().get(0).sigma(), phases.get(0).sigma());
            double both = Accountants.byName("rdp").epsilon(List.of(new Phase(8.0 / TinyRuns.N,
                    phases.get(0).sigma(), 3), new Phase(8.0 / TinyRuns.N, phases.get(1).sigma(), 2)), 1e-3).epsilon();
            assertEquals(both, b.card().privacy().epsilon(), 1e-9);
            assertTrue(both <= 8 && both > a.card().privacy().epsilon());
        }
    }

    /**
     * Frozen parameters keep the starting model's values bit for bit, in the released params and
     * EMA alike, while the others train, and a resumed run repeats the straight one; freezing
     * refuses a run without a starting model and a name that matches nothing, before any run file
     * is written.
     */
    @Test
    void frozenParametersKeepTheStartingModelsValues(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first");
        train(TinyRuns.config(data, 4, 3), first, null);
        TrainConfig tiny = TinyRuns.config(data, 8, 3);
        TrainConfig.Optimisation o = tiny.optimisation();
        List<String> frozen = List.of("input", "body0", "embed1.weight");
        TrainConfig config = new TrainConfig(tiny.data(), tiny.privacy(), tiny.schedule(), tiny.objective(),
                new TrainConfig.Optimisation(o.lr(), o.emaDecay(), o.clipNorm(), o.clipping(), o.lrDecay(), frozen),
                tiny.network(), tiny.seed(), tiny.intervals());
        Path second = dir.resolve("second");
        Path copy = dir.resolve("copy");
        try (Trainer t = Trainer.start(config, second, new Trainer.Initialisation(first, false))) {
            assertFalse(t.run(new Trainer.Options(false, 2L)).finished());
            copyTree(second, copy);
            assertTrue(t.run(Trainer.Options.quiet()).finished());
        }
        try (Trainer resumed = Trainer.resume(copy)) {
            assertTrue(resumed.run(Trainer.Options.quiet()).finished());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            assertSameCheckpoints(second, copy, m);
            ModelCheckpoint.Loaded a = ModelCheckpoint.read(first, m);
            ModelCheckpoint.Loaded b = ModelCheckpoint.read(second, m);
            int changed = 0;
            for (String name : a.params().keySet()) {
                boolean isFrozen = name.startsWith("input.") || name.startsWith("body0.") || name.equals("embed1.weight");
                float[] before = a.params().get(name).toFloatArray();
                if (isFrozen) {
                    assertArrayEquals(before, b.params().get(name).toFloatArray(), name);
                    assertArrayEquals(before, b.ema().get(name).toFloatArray(), name + " (EMA)");
                } else if (!java.util.Arrays.equals(before, b.params().get(name).toFloatArray())) {
                    changed++;
                }
            }
            assertTrue(changed > a.params().size() / 2, changed + " of the trained parameters changed");
        }
        DpdmException noStart = assertThrows(DpdmException.class,
                () -> Trainer.start(config, dir.resolve("no-start"), null));
        assertTrue(noStart.getMessage().contains("needs a starting model"), noStart.getMessage());
        TrainConfig typo = new TrainConfig(tiny.data(), tiny.privacy(), tiny.schedule(), tiny.objective(),
                new TrainConfig.Optimisation(o.lr(), o.emaDecay(), o.clipNorm(), o.clipping(), 0, List.of("body99")),
                tiny.network(), tiny.seed(), tiny.intervals());
        DpdmException unknown = assertThrows(DpdmException.class,
                () -> Trainer.start(typo, dir.resolve("typo"), new Trainer.Initialisation(first, false)));
        assertTrue(unknown.getMessage().startsWith("optimisation.frozen: 'body99' names no parameter"), unknown.getMessage());
        assertFalse(Files.exists(dir.resolve("typo").resolve("config.json")));
    }

    @Test
    void aNewRunNeedsANewOrEmptyFolder(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        train(TinyRuns.config(data, 8, 2), run, null);
        DpdmException e = assertThrows(DpdmException.class, () -> Trainer.start(TinyRuns.config(data, 8, 2), run, null));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        Path stray = dir.resolve("stray");
        Files.createDirectories(stray);
        Files.writeString(stray.resolve("notes.txt"), "crashed before its first checkpoint");
        assertThrows(DpdmException.class, () -> Trainer.start(TinyRuns.config(data, 8, 2), stray, null));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        train(TinyRuns.config(data, 8, 1), empty, null);
    }
}
