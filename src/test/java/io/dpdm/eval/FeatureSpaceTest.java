package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.classify.Accuracy;
import io.dpdm.classify.Classifier;
import io.dpdm.classify.ClassifierKind;
import io.dpdm.classify.ClassifierTrainer;
import io.dpdm.classify.TrainingSettings;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageSplit;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default feature extractor (penultimate layer of a CNN trained on real Fashion-MNIST; here a
 * small run on 1,500 images so the test stays fast): two disjoint halves of the real test set are
 * close in its feature space, uniform noise is far; and the CNN itself learns (an honest lower
 * bound for this small run; the full-size figure comes from dpdm classify / dpdm evaluate).
 */
class FeatureSpaceTest {
    private static Classifier cnn;
    private static ImageDataset data;

    @BeforeAll
    static void train() {
        data = EvalFixtures.fashionMnist();
        cnn = Classifier.create(ClassifierKind.CNN, data.shape(), data.numClasses(), 3);
        ClassifierTrainer.train(cnn, EvalFixtures.range(data.train(), 0, 1500), Optional.empty(),
                new TrainingSettings.NonPrivate(2, 32, 1e-3, 3), ClassifierTrainer.Progress.NONE);
    }

    @AfterAll
    static void close() {
        cnn.close();
    }

    @Test
    void realHalvesAreCloseAndNoiseIsFar() {
        FeatureExtractor f = FeatureExtractor.of(cnn, "cnn");
        GaussianStats a = GaussianStats.of(f.features(EvalFixtures.range(data.test(), 0, 1000)));
        GaussianStats b = GaussianStats.of(f.features(EvalFixtures.range(data.test(), 1000, 2000)));
        SplittableRandom rnd = new SplittableRandom(5);
        byte[] noise = new byte[1000 * data.shape().size()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) rnd.nextInt(256);
        }
        GaussianStats n = GaussianStats.of(f.features(new ImageSplit(data.shape(), noise, new int[1000])));
        double realReal = FrechetDistance.between(a, b);
        double realNoise = FrechetDistance.between(a, n);
        // The spread of the features themselves (tr S) is the natural scale of "near 0".
        double scale = 0;
        for (int i = 0; i < a.dim(); i++) {
            scale += a.cov()[i][i];
        }
        assertTrue(realReal < 0.05 * scale, "real vs real " + realReal + ", trace " + scale);
        assertTrue(realNoise > 20 * realReal, "real vs noise " + realNoise + ", real vs real " + realReal);
    }

    @Test
    void theCnnLearnsFashionMnist() {
        Accuracy acc = cnn.accuracy(EvalFixtures.range(data.test(), 0, 2000));
        // 1,500 images, 2 epochs (measured 68.7%): the full run (60,000 images, 50 epochs) reaches ~90%.
        assertTrue(acc.overall() > 0.6, "test accuracy " + acc.overall());
    }
}
