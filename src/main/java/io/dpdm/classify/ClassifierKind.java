package io.dpdm.classify;

import io.dpdm.data.ImageShape;
import io.dpdm.nn.Activation;
import io.dpdm.nn.Conv2d;
import io.dpdm.nn.Dropout;
import io.dpdm.nn.Layer;
import io.dpdm.nn.Linear;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Sequential;
import io.dpdm.nn.Spatial;
import java.util.Arrays;
import java.util.Locale;

/**
 * The DPDM paper's downstream classifiers (Dockhorn et al. 2023, evaluation protocol; the same
 * networks as DP-Sinkhorn/GS-WGAN), generalised from 28x28x1 / 10 classes to any image shape and
 * class count:
 *
 * <ul>
 *   <li>LOGREG: Linear(C*H*W -> classes);
 *   <li>MLP: Linear(C*H*W -> 100), ReLU, Linear(100 -> classes);
 *   <li>CNN: Conv(C->32,3) MaxPool2 ReLU Dropout0.5, Conv(32->64,3) MaxPool2 ReLU Dropout0.5,
 *       Conv(64->128,3) ReLU, Flatten, Linear(128*h*w -> 128) ReLU Dropout0.5,
 *       Linear(128 -> classes); convolutions unpadded, so h*w = 3*3 (1152 inputs) for 28x28.
 * </ul>
 *
 * Each network is split into a body, whose output is the feature vector ({@link Classifier#features}),
 * and a head producing the logits.
 */
public enum ClassifierKind {
    LOGREG,
    MLP,
    CNN;

    /** Parses "logreg", "mlp" or "cnn" (case-insensitive). */
    public static ClassifierKind parse(String name) {
        for (ClassifierKind k : values()) {
            if (k.cliName().equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("classifier '" + name + "' is unknown; expected one of "
                + Arrays.stream(values()).map(ClassifierKind::cliName).toList());
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Body and head of a network, declared in {@code store}. */
    record Network(Layer body, Layer head, int featureSize) {}

    Network declare(ParameterStore store, ImageShape shape, int numClasses) {
        int inputs = shape.size();
        return switch (this) {
            case LOGREG -> new Network(Spatial.FLATTEN, Linear.create(store, "out", inputs, numClasses), inputs);
            case MLP -> new Network(Sequential.of(Spatial.FLATTEN, Linear.create(store, "hidden", inputs, 100),
                    Activation.RELU), Linear.create(store, "out", 100, numClasses), 100);
            case CNN -> cnn(store, shape, numClasses);
        };
    }

    private static Network cnn(ParameterStore store, ImageShape shape, int numClasses) {
        int h = convolvedSize(shape.height());
        int w = convolvedSize(shape.width());
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("the CNN classifier needs images of at least 18x18 (three unpadded 3x3"
                    + " convolutions and two 2x2 poolings), got " + shape);
        }
        Dropout dropout = new Dropout(0.5);
        Layer body = Sequential.of(
                Conv2d.create(store, "conv1", shape.channels(), 32, 3, 1, 0, 1, true, 1.0),
                new Spatial.MaxPool2d(2), Activation.RELU, dropout,
                Conv2d.create(store, "conv2", 32, 64, 3, 1, 0, 1, true, 1.0),
                new Spatial.MaxPool2d(2), Activation.RELU, dropout,
                Conv2d.create(store, "conv3", 64, 128, 3, 1, 0, 1, true, 1.0), Activation.RELU,
                Spatial.FLATTEN,
                Linear.create(store, "fc1", 128 * h * w, 128), Activation.RELU);
        Layer head = Sequential.of(dropout, Linear.create(store, "out", 128, numClasses));
        return new Network(body, head, 128);
    }

    /** Side length after conv3 - pool2 - conv3 - pool2 - conv3 (all unpadded, floor pooling). */
    private static int convolvedSize(int side) {
        int s = (side - 2) / 2;
        s = (s - 2) / 2;
        return s - 2;
    }
}
