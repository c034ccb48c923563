package io.dpdm.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.privacy.Accountants;
import io.dpdm.privacy.NoiseCalibration;
import io.dpdm.privacy.Phase;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTrainerTest {
    private static final ImageShape SHAPE = new ImageShape(1, 6, 6);

    @TempDir Path dir;

    @Test
    void nonPrivateMlpLearnsSeparableBlobsAndKeepsTheBestEpoch() {
        ImageSplit train = Blobs.split(SHAPE, 3, 300, 1);
        ImageSplit validation = Blobs.split(SHAPE, 3, 90, 2);
        ImageSplit test = Blobs.split(SHAPE, 3, 150, 3);
        try (Classifier c = Classifier.create(ClassifierKind.MLP, SHAPE, 3, 4)) {
            double before = c.accuracy(test).overall();
            TrainingResult r = ClassifierTrainer.train(c, train, Optional.of(validation),
                    new TrainingSettings.NonPrivate(4, 32, 3e-3, 5), ClassifierTrainer.Progress.NONE);
            double[] val = r.validationAccuracy();
            assertEquals(4, val.length);
            int argmax = 0;
            for (int e = 1; e < val.length; e++) {
                argmax = val[e] > val[argmax] ? e : argmax;
            }
            assertEquals(argmax + 1, r.selectedEpoch());
            // the classifier holds the selected epoch's weights
            assertEquals(val[argmax], c.accuracy(validation).overall(), 1e-12);
            Accuracy acc = c.accuracy(test);
            assertTrue(acc.overall() >= 0.95, "test accuracy " + acc.overall() + " (before training " + before + ")");
            assertArrayEquals(new int[] {50, 50, 50}, acc.total());
            assertTrue(r.privacy().isEmpty());
        }
    }

    @Test
    void privateTrainingRecordsTheCalibratedMechanismAndStaysWithinBudget() {
        ImageSplit train = Blobs.split(SHAPE, 3, 400, 6);
        ImageSplit test = Blobs.split(SHAPE, 3, 150, 7);
        TrainingSettings.Private s = new TrainingSettings.Private(8, 1e-5, "rdp", 3, 100, 1.0, 0.05, 64, null, 8);
        try (Classifier c = Classifier.create(ClassifierKind.LOGREG, SHAPE, 3, 9)) {
            TrainingResult r = ClassifierTrainer.train(c, train, Optional.empty(), s, ClassifierTrainer.Progress.NONE);
            TrainingResult.PrivacySpent p = r.privacy().orElseThrow();
            double q = 100 / 400.0;
            long steps = 3 * 4;
            double sigma = NoiseCalibration.noiseMultiplier(Accountants.byName("rdp"), 8, 1e-5, q, steps);
            assertEquals(List.of(new Phase(q, sigma, steps)), p.ledger().phases());
            assertEquals(steps, p.steps());
            assertEquals(sigma, p.noiseMultiplier());
            assertTrue(p.epsilon() <= 8 && p.epsilon() > 8 - 0.05, "epsilon spent " + p.epsilon());
            assertEquals(p.epsilon(), p.ledger().epsilon(1e-5, Accountants.byName("rdp")).epsilon(), 0);
            assertEquals(3, r.selectedEpoch()); // no validation split: the last epoch
            assertTrue(c.accuracy(test).overall() > 0.8, "private logreg on blobs: " + c.accuracy(test).overall());
        }
    }

    @Test
    void savedClassifierReloadsWithIdenticalPredictionsAndFeatures() {
        ImageShape shape = new ImageShape(1, 18, 18);
        ImageSplit data = Blobs.split(shape, 3, 12, 10);
        try (Classifier c = Classifier.create(ClassifierKind.CNN, shape, 3, 11)) {
            ClassifierTrainer.train(c, data, Optional.empty(), new TrainingSettings.NonPrivate(1, 4, 1e-3, 1),
                    ClassifierTrainer.Progress.NONE);
            c.save(dir.resolve("cnn"));
            try (Classifier loaded = Classifier.load(dir.resolve("cnn"))) {
                assertEquals(ClassifierKind.CNN, loaded.kind());
                assertEquals(shape, loaded.shape());
                assertArrayEquals(c.predict(data), loaded.predict(data));
                float[][] f = c.features(data);
                assertEquals(12, f.length);
                assertEquals(128, f[0].length);
                for (int i = 0; i < f.length; i++) {
                    assertArrayEquals(f[i], loaded.features(data)[i]);
                }
            }
        }
        assertThrows(io.dpdm.DpdmException.class, () -> Classifier.load(dir.resolve("missing")));
    }

    @Test
    void badInputIsRejected() {
        ImageSplit train = Blobs.split(SHAPE, 3, 30, 1);
        try (Classifier c = Classifier.create(ClassifierKind.LOGREG, SHAPE, 3, 0);
                Classifier two = Classifier.create(ClassifierKind.LOGREG, SHAPE, 2, 0);
                Classifier other = Classifier.create(ClassifierKind.LOGREG, new ImageShape(1, 5, 5), 3, 0)) {
            TrainingSettings.NonPrivate ok = new TrainingSettings.NonPrivate(1, 8, 1e-3, 0);
            assertThrows(IllegalArgumentException.class,
                    () -> ClassifierTrainer.train(two, train, Optional.empty(), ok, ClassifierTrainer.Progress.NONE));
            assertThrows(IllegalArgumentException.class,
                    () -> ClassifierTrainer.train(other, train, Optional.empty(), ok, ClassifierTrainer.Progress.NONE));
            assertThrows(IllegalArgumentException.class, () -> ClassifierTrainer.train(c, train, Optional.empty(),
                    new TrainingSettings.Private(1, 1e-5, "prv", 1, 31, 1, 1e-3, 8, null, 0),
                    ClassifierTrainer.Progress.NONE));
        }
        assertThrows(IllegalArgumentException.class, () -> new TrainingSettings.NonPrivate(0, 8, 1e-3, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingSettings.Private(1, 1e-5, "foo", 1, 8, 1, 1e-3, 8, null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingSettings.Private(1, 0, "prv", 1, 8, 1, 1e-3, 8, null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingSettings.Private(1, 1e-5, "prv", 1, 8, -1, 1e-3, 8, null, 0));
    }
}
