package io.dpdm.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.AtomicFiles;
import io.dpdm.DpdmException;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One downstream classifier ({@link ClassifierKind}) with its parameters: logits, the per-example
 * cross-entropy loss that (private) training differentiates, batched prediction and accuracy,
 * penultimate-layer features (the Frechet feature extractor of the evaluation), and save/load.
 *
 * <p>Inputs are images in [-1, 1], (N, C, H, W), as {@link ImageSplit#images} makes them. Owns
 * its {@link ParameterStore}: close it when done.
 */
public final class Classifier implements AutoCloseable {
    /** Rows per forward pass in evaluation: bounds memory, large enough to keep the cores busy. */
    private static final int EVAL_CHUNK = 1000;
    private static final String META_FILE = "classifier.json";
    private static final String PARAMS_FILE = "parameters.bin";

    private final ClassifierKind kind;
    private final ImageShape shape;
    private final int numClasses;
    private final ParameterStore store;
    private final ClassifierKind.Network network;

    private Classifier(ClassifierKind kind, ImageShape shape, int numClasses, ParameterStore store) {
        this.kind = kind;
        this.shape = shape;
        this.numClasses = numClasses;
        this.store = store;
        this.network = kind.declare(store, shape, numClasses);
    }

    /** A freshly initialised classifier; {@code seed} fixes the initial weights. */
    public static Classifier create(ClassifierKind kind, ImageShape shape, int numClasses, long seed) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + numClasses);
        }
        ParameterStore store = new ParameterStore(seed);
        try {
            return new Classifier(kind, shape, numClasses, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public ClassifierKind kind() {
        return kind;
    }

    public ImageShape shape() {
        return shape;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Length of the {@link #features} vector: 128 for the CNN, 100 for the MLP, C*H*W for LogReg. */
    public int featureSize() {
        return network.featureSize();
    }

    /** The trained parameters (optimisers update them in place). */
    public ParameterStore parameters() {
        return store;
    }

    /** Logits (rows, classes) for images (rows, C, H, W) in either weight mode. */
    public NDArray logits(Weights w, NDArray images) {
        return network.head().forward(w, network.body().forward(w, images));
    }

    /**
     * Per-example cross-entropy -log softmax(logits)[label], shape (B): what per-example
     * clipping needs. One draw per example (w.draws() must be 1).
     *
     * @param labels int32 (B) class indices
     */
    public NDArray loss(Weights w, NDArray images, NDArray labels) {
        if (w.draws() != 1) {
            throw new IllegalArgumentException("classifier loss takes one draw per example, got " + w.draws());
        }
        NDArray logProbabilities = logits(w, images).logSoftmax(1);
        NDArray oneHot = labels.oneHot(numClasses).toType(logProbabilities.getDataType(), false);
        return logProbabilities.mul(oneHot).sum(new int[] {1}).neg();
    }

    /** Predicted class of every image of {@code split}, in order (evaluation mode). */
    public int[] predict(ImageSplit split) {
        int[] out = new int[split.size()];
        forEachChunk(split, (from, n, m, images) -> {
            NDArray logits = Gradients.forward(m, store, n, 1, w -> logits(w, images));
            int[] chunk = logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
            System.arraycopy(chunk, 0, out, from, n);
        });
        return out;
    }

    /** Accuracy on a labelled split, overall and per class. */
    public Accuracy accuracy(ImageSplit split) {
        return Accuracy.of(predict(split), split.labels(), numClasses);
    }

    /**
     * The body's output for every image of {@code split} (evaluation mode), row-major
     * (images x {@link #featureSize()}): for the CNN the 128 activations after Linear(.. -> 128)
     * and ReLU, the penultimate layer used for Frechet distances.
     */
    public float[][] features(ImageSplit split) {
        float[][] out = new float[split.size()][];
        int d = featureSize();
        forEachChunk(split, (from, n, m, images) -> {
            float[] flat = Gradients.forward(m, store, n, 1, w -> network.body().forward(w, images)).toFloatArray();
            for (int i = 0; i < n; i++) {
                out[from + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
        });
        return out;
    }

    private interface Chunk {
        void accept(int from, int n, NDManager manager, NDArray images);
    }

    private void forEachChunk(ImageSplit split, Chunk body) {
        if (!split.shape().equals(shape)) {
            throw new IllegalArgumentException("images are " + split.shape() + " but the classifier was built for " + shape);
        }
        for (int from = 0; from < split.size(); from += EVAL_CHUNK) {
            int n = Math.min(EVAL_CHUNK, split.size() - from);
            int start = from;
            int[] indices = new int[n];
            Arrays.setAll(indices, i -> start + i);
            try (NDManager m = store.manager().newSubManager()) {
                body.accept(start, n, m, split.images(m, indices));
            }
        }
    }

    /**
     * Writes the classifier to folder {@code dir}: {@code classifier.json} (kind, shape, classes)
     * and {@code parameters.bin}.
     */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            store.save(dir.resolve(PARAMS_FILE));
            AtomicFiles.writeString(dir.resolve(META_FILE), new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(new Metadata(kind.cliName(), shape.channels(), shape.height(), shape.width(),
                            numClasses)));
        } catch (IOException e) {
            throw new DpdmException("cannot write classifier to " + dir + ": " + e.getMessage());
        }
    }

    /** Reads a classifier written by {@link #save}. */
    public static Classifier load(Path dir) {
        Path meta = dir.resolve(META_FILE);
        if (!Files.isRegularFile(meta)) {
            throw new DpdmException("classifier folder " + dir + ": missing " + META_FILE);
        }
        Metadata m;
        try {
            m = new ObjectMapper().readValue(meta.toFile(), Metadata.class);
        } catch (IOException e) {
            throw new DpdmException("classifier file " + meta + ": unreadable (" + e.getMessage() + ")");
        }
        Classifier c;
        try {
            c = create(ClassifierKind.parse(m.kind()), new ImageShape(m.channels(), m.height(), m.width()),
                    m.classes(), 0);
        } catch (IllegalArgumentException e) {
            throw new DpdmException("classifier file " + meta + ": " + e.getMessage());
        }
        try {
            c.store.load(dir.resolve(PARAMS_FILE));
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** What {@code classifier.json} holds. */
    record Metadata(String kind, int channels, int height, int width, int classes) {}

    @Override
    public void close() {
        store.close();
    }
}
