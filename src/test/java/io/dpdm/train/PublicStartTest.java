package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpdm.DpdmException;
import io.dpdm.data.Datasets;
import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.data.LoadOptions;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.model.PublicModels;
import io.dpdm.nn.Torch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU presets start from a shipped public model: its weights (not the seed's) start the run,
 * the card says so, and a model is never used on the data set it was trained on.
 */
class PublicStartTest {
    private static final String MNIST_MODEL = "mnist-unet16p2";

    /** 40 random 28x28 gray images in 10 classes, as an IDX folder. */
    static Path tinyData(Path folder) {
        ImageShape shape = new ImageShape(1, 28, 28);
        SplittableRandom rng = new SplittableRandom(3);
        byte[] pixels = new byte[40 * shape.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        int[] labels = IntStream.range(0, 40).map(i -> i % 10).toArray();
        List<String> classes = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
        IdxWriter.writeDataset(folder, new ImageDataset("tiny28", shape, classes, new ImageSplit(shape, pixels, labels),
                ImageSplit.empty(shape)));
        return folder;
    }

    @Test
    void theRunStartsFromTheShippedWeights(@TempDir Path dir) {
        Path data = tinyData(dir.resolve("data"));
        TrainConfig preset = Preset.QUICK.config(data.toString(), Datasets.open(data.toString(), LoadOptions.defaults()),
                10, 1e-5);
        assertEquals(MNIST_MODEL, preset.publicStart());
        assertNull(preset.warmStart(), "with a public start the preset releases no central images");
        // one step of a learning rate so small that the weights stay the shipped ones to 1e-6
        TrainConfig config = new TrainConfig(preset.data(), preset.privacy(), new TrainConfig.Schedule(8, null, 1L, 8),
                preset.objective(), new TrainConfig.Optimisation(1e-9, 0.5, 1.0, null), preset.network(), 0,
                new TrainConfig.Intervals(1, 1, 0), null, MNIST_MODEL);
        Path run = dir.resolve("run");
        try (Trainer t = Trainer.start(config, run, null)) {
            t.run(Trainer.Options.quiet());
        }
        Path shipped = PublicModels.installed().orElseThrow().file(MNIST_MODEL);
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded trained = ModelCheckpoint.read(run, m);
            ModelCheckpoint.Loaded start = ModelCheckpoint.read(shipped, m);
            assertTrue(trained.card().provenance().initialModel().contains("a non-private model of mnist (public"
                    + " pre-training)"), trained.card().provenance().initialModel());
            assertTrue(trained.card().privacy().note().contains("public pre-training"), trained.card().privacy().note());
            assertEquals(start.params().keySet(), trained.params().keySet());
            start.params().forEach((name, p) -> {
                NDArray q = trained.params().get(name);
                float diff = p.sub(q).abs().max().getFloat();
                assertTrue(diff < 1e-6, name + " moved by " + diff);
            });
        }
        assertTrue(Files.exists(run.resolve("model.zip")));
    }

    @Test
    void anExplicitInitialModelReplacesThePublicStart(@TempDir Path dir) throws Exception {
        Path data = tinyData(dir.resolve("data"));
        TrainConfig preset = Preset.QUICK.config(data.toString(), Datasets.open(data.toString(), LoadOptions.defaults()),
                10, 1e-5);
        TrainConfig config = new TrainConfig(preset.data(), preset.privacy(), new TrainConfig.Schedule(8, null, 1L, 8),
                preset.objective(), preset.optimisation(), preset.network(), 0, new TrainConfig.Intervals(1, 1, 0),
                null, MNIST_MODEL);
        Path fashion = PublicModels.installed().orElseThrow().file("fashion-mnist-unet16p2");
        Path run = dir.resolve("run");
        try (Trainer t = Trainer.start(config, run, new Trainer.Initialisation(fashion, false))) {
            t.run(Trainer.Options.quiet());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            String initial = ModelCheckpoint.read(run, m).card().provenance().initialModel();
            assertTrue(initial.contains("model of fashion-mnist"), initial);
        }
        assertTrue(Files.readString(run.resolve(Trainer.CONFIG_FILE)).contains("\"publicStart\" : null"),
                "config.json must not name a public start that was not used");
    }

    @Test
    void aModelIsNeverUsedOnItsOwnDataSet(@TempDir Path dir) {
        ImageDataset mnist = Datasets.open("mnist", LoadOptions.defaults());
        TrainConfig preset = Preset.QUICK.config("mnist", mnist, 10, 1e-5);
        assertEquals("rendered-digits-unet16p2", preset.publicStart(), "MNIST's preferred start (row FD1)");
        TrainConfig forced = new TrainConfig("mnist", preset.privacy(), preset.schedule(), preset.objective(),
                preset.optimisation(), preset.network(), 0, preset.intervals(), null, MNIST_MODEL);
        DpdmException e = assertThrows(DpdmException.class, () -> Trainer.plan(forced, null));
        assertTrue(e.getMessage().contains("without a guarantee"), e.getMessage());
    }

    @Test
    void highNoiseTargetsKeepTheWarmStart() {
        ImageDataset fashion = Datasets.open("fashion-mnist", LoadOptions.defaults());
        TrainConfig eps05 = Preset.CPU.config("fashion-mnist", fashion, 0.5, 1e-5);
        assertNull(eps05.publicStart(), "v-prediction (epsilon < 1) differs from the shipped EDM models");
        assertTrue(eps05.warmStart() != null);
        assertEquals("garment-icons-unet16p2", Preset.CPU.config("fashion-mnist", fashion, 10, 1e-5).publicStart(),
                "Fashion-MNIST's preferred start (row FG1)");
    }
}
