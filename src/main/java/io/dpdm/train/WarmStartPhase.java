package io.dpdm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageGrid;
import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.DenoisingLoss;
import io.dpdm.dp.Adam;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.Ema;
import io.dpdm.nn.ParameterStore;
import io.dpdm.warmstart.ReleasedImages;
import io.dpdm.warmstart.WarmStartTraining;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The warm start of a run ({@link TrainConfig.WarmStart}): the released central images, the
 * warm-start training over them with its own Adam, and the steps done, so a checkpoint can save
 * and restore it exactly. The release happens once, when the run starts; its phase is already in
 * the ledger (the plan's prior), and the released images are written to the run folder only after
 * the checkpoint that covers them.
 */
final class WarmStartPhase {
    private static final String IMAGES = "images";
    private static final String LABELS = "labels";

    private final TrainConfig.WarmStart settings;
    private final ReleasedImages released;
    private final Adam adam;
    private final WarmStartTraining training;
    private long steps;

    private WarmStartPhase(TrainConfig.WarmStart settings, ReleasedImages released, ParameterStore store,
            DenoisingLoss loss, Ema ema, long seed) {
        this.settings = settings;
        this.released = released;
        this.adam = new Adam(store.trained(), settings.lr());
        DenoisingLoss augmented = new DenoisingLoss(loss.model(), loss.noise(), loss.draws(), loss.numClasses(),
                loss.labelDropout(), new Augmentation(false, settings.maxShift()));
        this.training = new WarmStartTraining(store, augmented, released, adam, ema, settings.batchSize(), seed);
    }

    /** Releases the central images of {@code data}'s training split (this reads the private data). */
    static WarmStartPhase release(TrainConfig config, ImageDataset data, DpRandom random, ParameterStore store,
            DenoisingLoss loss, Ema ema) {
        TrainConfig.WarmStart w = config.warmStart();
        ReleasedImages released = w.release().release(data.train(), data.numClasses(), random);
        return new WarmStartPhase(w, released, store, loss, ema, config.seed());
    }

    /** The phase as a checkpoint saved it ({@link #arrays}). */
    static WarmStartPhase restore(TrainConfig config, Map<String, NDArray> arrays, long steps, ParameterStore store,
            DenoisingLoss loss, Ema ema) {
        NDArray images = arrays.get(IMAGES);
        Shape s = images.getShape();
        ReleasedImages released = new ReleasedImages((int) s.get(1), (int) s.get(2), (int) s.get(3),
                images.toFloatArray(), arrays.get(LABELS).toIntArray());
        WarmStartPhase phase = new WarmStartPhase(config.warmStart(), released, store, loss, ema, config.seed());
        Map<String, NDArray> moments = new LinkedHashMap<>(arrays);
        moments.remove(IMAGES);
        moments.remove(LABELS);
        phase.adam.restore(steps, moments);
        phase.steps = steps;
        return phase;
    }

    boolean done() {
        return steps >= settings.steps();
    }

    long steps() {
        return steps;
    }

    long totalSteps() {
        return settings.steps();
    }

    void step() {
        training.step(steps);
        steps++;
    }

    /** The released images and the warm Adam's state, for the checkpoint (arrays in {@code manager}). */
    Map<String, NDArray> arrays(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put(IMAGES, manager.create(released.images(), new Shape(released.count(), released.channels(),
                released.height(), released.width())));
        out.put(LABELS, manager.create(released.labels()));
        out.putAll(adam.stateArrays());
        return out;
    }

    /** The released images as a grid, one row per class, one column per round. */
    void writeReleased(Path png, java.util.List<String> classNames) {
        ImageGrid.write(png, new ImageShape(released.channels(), released.height(), released.width()),
                released.images(), released.labels(), classNames, settings.release().rounds(), 2);
    }
}
