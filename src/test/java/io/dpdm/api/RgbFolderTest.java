package io.dpdm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.classify.ClassifierKind;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.LoadOptions;
import io.dpdm.eval.Evaluation;
import io.dpdm.eval.EvaluationRequest;
import io.dpdm.train.TrainConfig;
import io.dpdm.train.Trainer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data beyond 28x28 grayscale, end to end: a folder of 32x32 RGB PNGs (one sub-folder per class)
 * trains (a patch-2 U-Net on the 16x16 grid, 3 channels), samples and evaluates with every
 * figure defined for colour (classifier input channels, Frechet features of the real-data CNN,
 * grids).
 */
class RgbFolderTest {
    @Test
    void aColourFolderTrainsSamplesAndEvaluates(@TempDir Path dir) throws Exception {
        Path data = colourFolder(dir.resolve("colours"));
        ImageDataset loaded = Datasets.open(data, LoadOptions.defaults());
        assertEquals(3, loaded.shape().channels());
        TrainConfig config = Dpdm.preset("smoke", data.toString(), 10, 1e-5);
        assertEquals(3, config.network().channels());
        assertEquals(2, config.network().patchSize());
        assertEquals(16, config.network().gridSize());
        // 20 images per class are too few for the central-image release (count noise std 35 vs 2
        // sampled images): the preset leaves the warm start out rather than train on noise
        assertNull(config.warmStart());
        Trainer.Result trained = Dpdm.train(config, dir.resolve("run"));
        assertTrue(trained.finished() && trained.privacy().epsilon() <= 10, trained.toString());
        Dpdm.sample(dir.resolve("run"), 60, dir.resolve("synthetic"));
        assertTrue(Files.exists(dir.resolve("synthetic/grid.png")));
        Evaluation.Result r = Dpdm.evaluate(new EvaluationRequest(dir.resolve("synthetic"), data.toString(),
                dir.resolve("report"), List.of(ClassifierKind.LOGREG, ClassifierKind.CNN), 2, 2, Optional.empty(),
                dir.resolve("cache"), 0.2, 50, 0, List.of()));
        for (Evaluation.Score s : r.scores().values()) {
            assertTrue(s.synthetic() >= 0 && s.synthetic() <= 1 && s.real() >= 0 && s.real() <= 1, s.toString());
        }
        assertTrue(Double.isFinite(r.frechet().distance()), r.frechet().toString());
        assertTrue(Files.exists(dir.resolve("report/report.html")));
        System.out.printf("RGB 32x32 folder: epsilon %.3f; LogReg %.1f%% (real %.1f%%), CNN %.1f%% (real %.1f%%),"
                        + " Frechet distance %.3g%n", trained.privacy().epsilon(),
                100 * r.scores().get(ClassifierKind.LOGREG).synthetic(), 100 * r.scores().get(ClassifierKind.LOGREG).real(),
                100 * r.scores().get(ClassifierKind.CNN).synthetic(), 100 * r.scores().get(ClassifierKind.CNN).real(),
                r.frechet().distance());
    }

    /** root/{train,test}/{red,green,blue}: a coloured disc on a dark background, jittered. */
    static Path colourFolder(Path root) throws Exception {
        Random random = new Random(3);
        String[] classes = {"red", "green", "blue"};
        for (String split : List.of("train", "test")) {
            for (int k = 0; k < classes.length; k++) {
                Path folder = Files.createDirectories(root.resolve(split).resolve(classes[k]));
                for (int i = 0; i < (split.equals("train") ? 20 : 10); i++) {
                    BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                    int cx = 12 + random.nextInt(9);
                    int cy = 12 + random.nextInt(9);
                    for (int y = 0; y < 32; y++) {
                        for (int x = 0; x < 32; x++) {
                            boolean inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 64;
                            int v = inside ? 220 : 20;
                            int rgb = (k == 0 ? v : 20) << 16 | (k == 1 ? v : 20) << 8 | (k == 2 ? v : 20);
                            image.setRGB(x, y, rgb);
                        }
                    }
                    ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
                }
            }
        }
        return root;
    }
}
