package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Layers applied in order. */
public record Sequential(List<Layer> layers) implements Layer {
    public Sequential {
        layers = List.copyOf(layers);
    }

    public static Sequential of(Layer... layers) {
        return new Sequential(List.of(layers));
    }

    @Override
    public NDArray forward(Weights w, NDArray x) {
        NDArray h = x;
        for (Layer layer : layers) {
            h = layer.forward(w, h);
        }
        return h;
    }
}
