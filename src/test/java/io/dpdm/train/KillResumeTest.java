package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.dpdm.model.CheckpointFile;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.nn.Torch;
import io.dpdm.privacy.PrivacyLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments of a real {@code dpdm train} process (including during checkpoint,
 * model and grid writes, which here happen at almost every step): after every kill, no released
 * file (model.zip, samples/*.png) may be newer than the ledger of the saved checkpoint, and the
 * resumed run must finish with epsilon within the target. {@code -Ddpdm.kills=N} runs more kills
 * (default 6), {@code -Ddpdm.killSeed=S} other moments.
 */
class KillResumeTest {
    private static final long STEPS = 30;
    private static final double TARGET = 8;
    private static final int WARM_STEPS = 20;

    @Test
    void noReleaseRunsAheadOfTheLedgerAndResumeFinishesWithinTheTarget(@TempDir Path dir) throws Exception {
        Torch.engine();
        Path data = TinyRuns.dataset(dir.resolve("tiny-idx"));
        TrainConfig base = TinyRuns.config(data, TARGET, STEPS);
        TrainConfig config = new TrainConfig(base.data(), base.privacy(), base.schedule(), base.objective(),
                base.optimisation(), base.network(), base.seed(), new TrainConfig.Intervals(1, 3, 2),
                WarmStartRunTest.tinyWarmStart(WARM_STEPS));
        Path configFile = dir.resolve("config.json");
        Files.writeString(configFile, TrainConfigs.toTree(config).toPrettyString());
        Path run = dir.resolve("run");
        Random random = new Random(Long.getLong("dpdm.killSeed", 20261125L));
        int kills = Integer.getInteger("dpdm.kills", 6);
        List<String> log = new ArrayList<>();
        int restarts = 0;
        for (int i = 0; i < kills; i++) {
            if (!Files.exists(run.resolve(ModelCheckpoint.FILE_IN_RUN)) && Files.exists(run)) {
                deleteTree(run); // killed before its first checkpoint: nothing was released, start again
                restarts++;
            }
            Process p = launch(run, configFile);
            // Training starts once the plan (or "resuming") line is printed; the engine start before
            // it takes seconds and writes nothing, so the kill moment is drawn after it.
            new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            long delay = random.nextInt(6000);
            boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
            p.destroyForcibly().waitFor();
            long saved = checkInvariants(run);
            log.add(String.format("kill %d %d ms into training: %s, saved ledger %d steps", i, delay,
                    exited ? "had exited (" + p.exitValue() + ")" : "killed", saved));
            if (exited && saved == STEPS) {
                break;
            }
        }
        if (!Files.exists(run.resolve(ModelCheckpoint.FILE_IN_RUN)) && Files.exists(run)) {
            deleteTree(run);
            restarts++;
        }
        Process last = launch(run, configFile);
        assertTrue(last.waitFor(5, TimeUnit.MINUTES), "the final run did not finish");
        assertEquals(0, last.exitValue(), "final run failed");
        assertEquals(STEPS, checkInvariants(run));
        try (var files = Files.walk(run)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
                    "torn writes left behind after a resume");
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded model = ModelCheckpoint.read(run, m);
            assertEquals(STEPS + 2, model.card().privacy().ledger().totalSteps(), "2 release rounds + DP-SGD");
            assertTrue(model.card().privacy().epsilon() <= TARGET, "epsilon " + model.card().privacy().epsilon());
            log.add(String.format("finished: %d steps, epsilon %.4f <= %.1f, %d restarts before a first checkpoint",
                    model.card().provenance().step(), model.card().privacy().epsilon(), TARGET, restarts));
        }
        log.forEach(System.out::println);
    }

    /** A fresh run or a resume of {@code run}, as its own JVM (the launcher's settings). */
    private static Process launch(Path run, Path configFile) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "io.dpdm.cli.Main", "train", "--no-progress"));
        if (Files.exists(run.resolve(ModelCheckpoint.FILE_IN_RUN))) {
            command.addAll(List.of("--resume", run.toString()));
        } else {
            command.addAll(List.of("--config", configFile.toString(), "--out", run.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DJL_OFFLINE", "true");
        return pb.start();
    }

    /**
     * The saved ledger's steps, after checking that model.zip and every grid are covered by it
     * (and that nothing was released before the first checkpoint).
     */
    private static long checkInvariants(Path run) throws IOException {
        Path checkpoint = run.resolve(ModelCheckpoint.FILE_IN_RUN);
        long saved = 0;
        boolean releaseCovered = false;
        long savedLedger = 0;
        long warmSaved = 0;
        try (NDManager m = Torch.engine().newBaseManager()) {
            if (Files.exists(checkpoint)) {
                JsonNode meta = CheckpointFile.read(checkpoint, m).meta();
                PrivacyLedger ledger = PrivacyLedger.fromJson(meta.get("ledger").toString());
                releaseCovered = ledger.phases().get(0).label().startsWith("central images");
                savedLedger = ledger.totalSteps();
                warmSaved = meta.path("warmStartSteps").asLong();
                saved = ledger.totalSteps() - ledger.phases().get(0).steps(); // DP-SGD steps after the release
                assertEquals(saved, meta.at("/state/step").asLong());
            }
            Path model = run.resolve(ModelCheckpoint.MODEL_IN_RUN);
            if (Files.exists(model)) {
                ModelCheckpoint.Loaded loaded = ModelCheckpoint.read(model, m);
                assertTrue(loaded.card().provenance().step() <= saved, "model.zip at step "
                        + loaded.card().provenance().step() + " but the saved ledger covers " + saved);
                assertTrue(loaded.card().privacy().ledger().totalSteps() <= savedLedger);
            }
        }
        Path samples = run.resolve("samples");
        if (Files.isDirectory(samples)) {
            try (var files = Files.list(samples)) {
                for (Path png : files.toList()) {
                    String name = png.getFileName().toString();
                    if (name.equals("warm-start.png")) {
                        assertEquals(WARM_STEPS, warmSaved, "the warm-start grid exists before its checkpoint");
                    } else if (name.matches("step-\\d{6}\\.png")) {
                        long step = Long.parseLong(name.substring(5, 11));
                        assertTrue(step <= saved, name + " released but the saved ledger covers " + saved + " steps");
                    } else {
                        assertTrue(name.startsWith(".") && name.endsWith(".tmp"), "unexpected file " + name);
                    }
                }
            }
        }
        assertTrue(releaseCovered || !Files.exists(run.resolve(Trainer.RELEASED_FILE)),
                "the released central images exist but no saved ledger covers them");
        assertTrue(releaseCovered || !Files.exists(run.resolve(ModelCheckpoint.MODEL_IN_RUN)));
        return saved;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
