package example;

import io.dpdm.api.Dpdm;
import io.dpdm.classify.ClassifierKind;
import io.dpdm.eval.Evaluation;
import io.dpdm.eval.EvaluationRequest;
import io.dpdm.sample.SampleService;
import io.dpdm.train.Trainer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * An application that embeds dpdm: writes a tiny folder of 28x28 PNGs (two classes), trains
 * privately with the smoke preset, samples and evaluates; prints the guarantee and the accuracy.
 * Usage: java example.Embed WORK_DIR
 */
public final class Embed {
    public static void main(String[] args) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        Path work = Path.of(args.length > 0 ? args[0] : "embed-work");
        Path data = writeImages(work.resolve("data"));
        Trainer.Result trained = Dpdm.train(Dpdm.preset("smoke", data.toString(), 10, 1e-5), work.resolve("run"));
        SampleService.Result synthetic = Dpdm.sample(work.resolve("run"), 200, work.resolve("synthetic"));
        Evaluation.Result figures = Dpdm.evaluate(new EvaluationRequest(work.resolve("synthetic"), data.toString(),
                work.resolve("report"), List.of(ClassifierKind.LOGREG), 2, 2, Optional.empty(), work.resolve("cache"),
                0.1, 100, 0, List.of()));
        System.out.printf("embedded dpdm: (epsilon %.3f, delta %.0e), %d synthetic images, LogReg %.1f%%%n",
                trained.privacy().epsilon(), trained.privacy().delta(), synthetic.images(),
                100 * figures.scores().get(ClassifierKind.LOGREG).synthetic());
    }

    /** root/{train,test}/{left,top}/*.png: bright left or top half, plus noise. */
    private static Path writeImages(Path root) throws IOException {
        Random random = new Random(1);
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("left", "top")) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(cls));
                for (int i = 0; i < (split.equals("train") ? 40 : 20); i++) {
                    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            boolean bright = cls.equals("left") ? x < 14 : y < 14;
                            int v = (bright ? 200 : 30) + random.nextInt(51) - 25;
                            image.getRaster().setSample(x, y, 0, v);
                        }
                    }
                    ImageIO.write(image, "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        return root;
    }
}
