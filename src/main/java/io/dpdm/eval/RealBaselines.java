package io.dpdm.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.AtomicFiles;
import io.dpdm.DpdmException;
import io.dpdm.classify.Accuracy;
import io.dpdm.classify.Classifier;
import io.dpdm.classify.ClassifierKind;
import io.dpdm.classify.ClassifierTrainer;
import io.dpdm.classify.HoldOut;
import io.dpdm.classify.TrainingSettings;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The downstream classifiers trained on the REAL training data (the accuracy ceiling of the
 * report, and the CNN whose features the default Frechet distance uses), cached on disk because
 * they depend only on the data set and the training settings.
 *
 * <p>Layout: {@code <cache>/<data set name>-<fingerprint>/<kind>-e<epochs>-s<seed>/} holding the
 * saved classifier ({@link Classifier#save}) and {@code accuracy.json} (test accuracy, per class).
 * The fingerprint is the first 16 hex digits of a SHA-256 over the shape, class names,
 * pixels and labels of both splits, so a changed data set never reuses a stale entry. Epoch
 * selection uses a 10% hold-out of the real training split (never the test split).
 */
public final class RealBaselines {
    static final double HOLD_OUT = 0.1;
    private static final String ACCURACY = "accuracy.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final ImageDataset data;
    private final int epochs;
    private final long seed;

    /**
     * @param cache the cache root (e.g. ~/.cache/dpdm)
     * @param data the real data set
     * @param epochs training epochs (the protocol's 50)
     */
    public RealBaselines(Path cache, ImageDataset data, int epochs, long seed) {
        this.dir = cache.resolve(safe(data.name()) + "-" + fingerprint(data));
        this.data = data;
        this.epochs = epochs;
        this.seed = seed;
    }

    /** A trained classifier and its accuracy on the real test split. */
    public record Baseline(Classifier classifier, Accuracy testAccuracy, boolean fromCache) {}

    /** The classifier of this kind trained on the real training split: from the cache, else trained and cached. */
    public Baseline get(ClassifierKind kind, ClassifierTrainer.Progress progress) {
        Path entry = entry(kind);
        if (Files.isRegularFile(entry.resolve(ACCURACY))) {
            try {
                Accuracy acc = JSON.readValue(entry.resolve(ACCURACY).toFile(), Accuracy.class);
                return new Baseline(Classifier.load(entry), acc, true);
            } catch (IOException | DpdmException e) {
                // A damaged cache entry is retrained below, not an error.
            }
        }
        Classifier c = Classifier.create(kind, data.shape(), data.numClasses(), seed);
        try {
            HoldOut h = HoldOut.of(data.train(), HOLD_OUT, seed);
            ClassifierTrainer.train(c, h.train(), Optional.ofNullable(h.validation()),
                    TrainingSettings.NonPrivate.paper(epochs, seed), progress);
            Accuracy acc = c.accuracy(data.test());
            c.save(entry);
            AtomicFiles.writeString(entry.resolve(ACCURACY), JSON.writeValueAsString(acc));
            return new Baseline(c, acc, false);
        } catch (IOException e) {
            c.close();
            throw new DpdmException("cannot write the classifier cache " + entry + ": " + e.getMessage());
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The cache folder of one classifier kind. */
    public Path entry(ClassifierKind kind) {
        return dir.resolve(kind.cliName() + "-e" + epochs + "-s" + seed);
    }

    private static String safe(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() ? "data" : s;
    }

    static String fingerprint(ImageDataset data) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((data.shape() + "|" + String.join("\u0000", data.classNames())).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            for (ImageSplit split : new ImageSplit[] {data.train(), data.test()}) {
                sha.update(("|" + split.size()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                for (int i = 0; i < split.size(); i++) {
                    sha.update(split.rawImage(i));
                    sha.update((byte) split.label(i));
                    sha.update((byte) (split.label(i) >>> 8));
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
