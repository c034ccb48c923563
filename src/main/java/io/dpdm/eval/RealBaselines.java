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
 * The fingerprint ({@link ImageDataset#fingerprint()}) changes with any pixel or label, so a changed
 * data set never reuses a stale entry. Epoch selection uses a 10% hold-out of the real training
 * split (never the test split).
 *
 * <p>The cache is OPERATOR-ONLY: its classifiers are trained on the real data without differential
 * privacy, and its folder names hold a hash of that data; each entry's folder gets a README.txt
 * saying so. Never ship it with a synthetic set.
 */
public final class RealBaselines {
    /** Share of the real training split held out to choose the ceilings' epoch. */
    public static final double HOLD_OUT = 0.1;
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
        this.dir = cache.resolve(safe(data.name()) + "-" + data.fingerprint());
        this.data = data;
        this.epochs = epochs;
        this.seed = seed;
    }

    /** A trained classifier and its accuracy on the real test split. */
    public record Baseline(Classifier classifier, Accuracy testAccuracy, boolean fromCache) {}

    /** Whether the classifier of this kind is in the cache (else {@link #get} trains it). */
    public boolean cached(ClassifierKind kind) {
        return Files.isRegularFile(entry(kind).resolve(ACCURACY));
    }

    /** The classifier of this kind trained on the real training split: from the cache, else trained and cached. */
    public Baseline get(ClassifierKind kind, ClassifierTrainer.Progress progress) {
        Path entry = entry(kind);
        if (cached(kind)) {
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
            AtomicFiles.writeString(dir.resolve("README.txt"), String.join("\n",
                    "dpdm cache of classifiers trained WITHOUT differential privacy on the real data set "
                            + data.name() + ".",
                    "Operator-only: these models and this folder's name (a hash of the data) reveal the private data.",
                    "Never share or ship them; delete the folder to retrain.", ""));
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
}
