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
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void nonPrivateStepsLowerTheLossOnAFixedBatch(@TempDir Path dir) {
        TrainConfig config = TinyRuns.config(data, Double.POSITIVE_INFINITY, 30);
        train(config, dir, null);
        try (ParameterStore store = new ParameterStore(config.seed());
                NDManager m = store.manager().newSubManager()) {
            UNet net = UNet.create(store, config.network()); // the initial weights: same seed as training
            double before = fixedBatchLoss(config, store, net, m);
            Map<String, NDArray> trained = ModelCheckpoint.read(dir, m).params();
            trained.forEach((name, a) -> a.copyTo(store.get(name)));
            double after = fixedBatchLoss(config, store, net, m);
            assertTrue(after < 0.7 * before, "loss before " + before + ", after 30 steps " + after);
        }
        assertEquals(30, MetricsLog.read(dir.resolve(Trainer.METRICS_FILE)).size());
        assertTrue(Files.exists(dir.resolve("samples/step-000030.png")));
    }

    /** Mean denoising loss of all 24 images, 8 draws each, with fixed randomness. */
    private static double fixedBatchLoss(TrainConfig c, ParameterStore store, UNet net, NDManager m) {
        ImageSplit train = Datasets.open(data, LoadOptions.defaults()).train();
        int[] all = java.util.stream.IntStream.range(0, train.size()).toArray();
        DenoisingLoss loss = new DenoisingLoss(new Preconditioned(net, c.objective().preconditioning()),
                c.objective().noise(), 8, 2, 0, c.objective().augmentation());
        NDArray x0 = train.images(m, all);
        NDArray perExample = Gradients.forward(m, store, all.length, 8,
                w -> loss.perExample(w, x0, train.labels(), new SplittableRandom(99)));
        return perExample.mean().getFloat();
    }

    @Test
    void resumeRepeatsTheStraightRunExactly(@TempDir Path dir) {
        TrainConfig config = TinyRuns.config(data, 8, 6);
        Path straight = dir.resolve("straight");
        Path split = dir.resolve("split");
        train(config, straight, null);
        Trainer.Result half = train(config, split, 3L);
        assertFalse(half.finished());
        assertEquals(3, half.steps());
        try (Trainer resumed = Trainer.resume(split)) {
            assertEquals(3, resumed.steps());
            assertTrue(resumed.run(Trainer.Options.quiet()).finished());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            CheckpointFile.Contents a = CheckpointFile.read(straight.resolve(ModelCheckpoint.FILE_IN_RUN), m);
            CheckpointFile.Contents b = CheckpointFile.read(split.resolve(ModelCheckpoint.FILE_IN_RUN), m);
            for (String group : List.of("params", "ema", "optimizer")) {
                Map<String, NDArray> ga = a.tensors().get(group);
                Map<String, NDArray> gb = b.tensors().get(group);
                assertEquals(ga.keySet(), gb.keySet());
                ga.forEach((name, x) -> assertArrayEquals(x.toFloatArray(), gb.get(name).toFloatArray(), 1e-6f,
                        group + "/" + name));
            }
            assertEquals(a.meta().get("ledger"), b.meta().get("ledger"));
            assertEquals(a.meta().get("state"), b.meta().get("state"));
            assertEquals(List.of(new Phase(8.0 / TinyRuns.N, planSigma(a.meta()), 6)),
                    io.dpdm.privacy.PrivacyLedger.fromJson(b.meta().get("ledger").toString()).phases());
        }
        List<ObjectNode> metrics = MetricsLog.read(split.resolve(Trainer.METRICS_FILE));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), metrics.stream().map(r -> r.get("step").asLong()).toList());
    }

    private static double planSigma(JsonNode meta) {
        return meta.get("plan").get("noiseMultiplier").asDouble();
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
            double eps = Accountants.byName("rdp").epsilon(8.0 / TinyRuns.N, planSigma(model.meta()), 4, 1e-3).epsilon();
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
        TrainConfig fixedSigma = new TrainConfig(base.data(), new TrainConfig.Privacy(1, 1e-3, "rdp", 0.5, false),
                base.schedule(), base.objective(), base.optimisation(), base.network(), base.seed(), base.intervals());
        DpdmException e = assertThrows(DpdmException.class, () -> Trainer.start(fixedSigma, dir.resolve("a"), null));
        assertTrue(e.getMessage().startsWith("refusing to start: 50 steps"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("a")));
        TrainConfig impossible = new TrainConfig(base.data(), new TrainConfig.Privacy(0.01, 1e-3, "rdp", null, false),
                base.schedule(), base.objective(), base.optimisation(), base.network(), base.seed(), base.intervals());
        assertThrows(DpdmException.class, () -> Trainer.start(impossible, dir.resolve("b"), null));
        assertFalse(Files.exists(dir.resolve("b")));
    }

    @Test
    void initFromStartsAFreshLedgerAndRecordsProvenance(@TempDir Path dir) {
        Path pre = dir.resolve("public");
        train(TinyRuns.config(data, Double.POSITIVE_INFINITY, 2), pre, null);
        Path fine = dir.resolve("private");
        try (Trainer t = Trainer.start(TinyRuns.config(data, 8, 2), fine, pre)) {
            t.run(Trainer.Options.quiet());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded publicModel = ModelCheckpoint.read(pre, m);
            assertFalse(publicModel.card().privacy().isPrivate());
            ModelCheckpoint.Loaded model = ModelCheckpoint.read(fine, m);
            assertEquals(2, model.card().privacy().ledger().totalSteps());
            assertEquals(pre.toString(), model.card().provenance().initFrom());
            assertTrue(model.card().privacy().note().contains("initialisation from " + pre));
        }
        assertThrows(DpdmException.class, () -> Trainer.start(TinyRuns.config(data, 8, 2), fine, null),
                "a run directory with a checkpoint is never overwritten");
    }
}
