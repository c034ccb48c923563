package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.nn.Torch;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.Phase;
import io.dpdm.warmstart.CentralImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with a warm start: the central-image release is the first phase of the ledger, DP-SGD's
 * noise is calibrated so that both phases together meet the target, and the released images and
 * the warm-started model's grid are written to the run folder.
 */
class WarmStartRunTest {
    /** Two release rounds at q 0.5, sigma 2, of 4x4 means (8x8 images halved), then {@code steps} steps. */
    static TrainConfig.WarmStart tinyWarmStart(int steps) {
        return new TrainConfig.WarmStart(new CentralImages(0.5, 2, 2, 2, false), steps, 4, 3e-3, 1);
    }

    @Test
    void theReleaseIsComposedWithDpSgdWithinTheTarget(@TempDir Path dir) {
        Torch.engine();
        Path data = TinyRuns.dataset(dir.resolve("tiny-idx"));
        TrainConfig base = TinyRuns.config(data, 8, 3);
        TrainConfig config = new TrainConfig(base.data(), base.privacy(), base.schedule(), base.objective(),
                base.optimisation(), base.network(), base.seed(), base.intervals(), tinyWarmStart(6));
        Path run = dir.resolve("run");
        TrainPlan plan;
        try (Trainer t = Trainer.start(config, run, null)) {
            plan = t.plan();
            assertTrue(t.run(Trainer.Options.quiet()).finished());
        }
        TrainPlan alone = TrainPlan.of(base, TinyRuns.N);
        assertTrue(plan.noiseMultiplier() > alone.noiseMultiplier(), "DP-SGD must pay for the release: sigma "
                + plan.noiseMultiplier() + " vs " + alone.noiseMultiplier() + " without it");
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded model = ModelCheckpoint.read(run, m);
            List<Phase> phases = model.card().privacy().ledger().phases();
            assertEquals(2, phases.size(), phases.toString());
            Phase release = phases.get(0);
            assertEquals(List.of(0.5, 2.0, 2L), List.of(release.q(), release.sigma(), release.steps()));
            assertTrue(release.label().startsWith("central images"), release.label());
            assertEquals(3, phases.get(1).steps());
            double both = Accountants.byName("rdp").epsilon(List.of(new Phase(0.5, 2, 2),
                    new Phase(8.0 / TinyRuns.N, plan.noiseMultiplier(), 3)), 1e-3).epsilon();
            assertEquals(both, model.card().privacy().epsilon(), 1e-9);
            assertTrue(both <= 8, "epsilon " + both);
        }
        assertTrue(Files.exists(run.resolve(Trainer.RELEASED_FILE)));
        assertTrue(Files.exists(run.resolve("samples/warm-start.png")));
    }
}
