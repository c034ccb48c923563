package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Weights} of a factored pass: shared weights that need no gradient, and a zero
 * leaf added to the output of every observed map, so that after backward the leaf's gradient
 * is d loss / d output (PyTorch keeps no gradient for non-leaves, and DJL has no hooks).
 * Remembers which parameters were fetched, so a layer that is not observed cannot silently
 * get a zero gradient.
 */
final class FactoredPass implements Weights {
    /** One observed layer and the leaf added to its output. */
    sealed interface Observation permits Product, Affine {
        NDArray outputLeaf();
    }

    /** A linear map: its input (N, ...), detached. */
    record Product(LinearMap map, NDArray input, NDArray outputLeaf) implements Observation {}

    /** A per-channel affine: its normalised input (N, C, ...), detached. */
    record Affine(ChannelAffineMap map, NDArray normalised, NDArray outputLeaf) implements Observation {}

    private final Map<String, NDArray> arrays;
    private final int examples;
    private final int draws;
    private final BatchRandomness randomness;
    private final NDManager manager;
    private final Precision precision;
    private final Set<String> fetched = new HashSet<>();
    private final Set<String> observed = new HashSet<>();
    private final List<Observation> observations = new ArrayList<>();

    FactoredPass(Map<String, NDArray> arrays, int examples, int draws, BatchRandomness randomness,
            NDManager manager, Precision precision) {
        PassWeights.checkRandomness(examples, draws, randomness);
        this.arrays = arrays;
        this.examples = examples;
        this.draws = draws;
        this.randomness = randomness;
        this.manager = manager;
        this.precision = precision;
    }

    @Override
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        fetched.add(name);
        return a;
    }

    @Override
    public NDArray observe(LinearMap map, NDArray input, NDArray output) {
        PerExample.checkRows(this, input, "factored " + map.weight());
        claim(map.bias() == null ? List.of(map.weight()) : List.of(map.weight(), map.bias()));
        // a bfloat16 product continues in float32: the leaf's gradient, which the norms read, and the
        // next layer's input rows are then float32, which the factored algebra (DJL operators) needs
        NDArray y = Bfloat16.toFloat32(output);
        NDArray leaf = leafLike(y);
        // the input, not its rows: a convolution's rows (im2col columns) are k*k times its size,
        // and where its gradients are materialised they may not be needed at all
        observations.add(new Product(map, kept(input.stopGradient()), leaf));
        // out of place: added in place to a view (a reshaped product), the leaf made autograd
        // rebuild the view in the backward pass (a zero fill and a copy of the whole output)
        return y.add(leaf);
    }

    @Override
    public NDArray observeAffine(ChannelAffineMap map, NDArray normalised, NDArray output) {
        PerExample.checkRows(this, normalised, "factored " + map.scale());
        claim(List.of(map.scale(), map.shift()));
        NDArray leaf = leafLike(output);
        observations.add(new Affine(map, kept(normalised.stopGradient()), leaf));
        return output.addi(leaf);
    }

    private void claim(List<String> names) {
        for (String name : names) {
            if (!observed.add(name)) {
                throw new IllegalArgumentException("parameter " + name + " is used by two layers; factored per-example"
                        + " gradients need each parameter in one observed layer (use expanded weights)");
            }
        }
    }

    private NDArray leafLike(NDArray output) {
        NDArray leaf = kept(manager.zeros(output.getShape(), output.getDataType()));
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /**
     * Out of any NDScope a layer runs in (the U-Net closes each stage's temporaries): what the
     * pass records lives until the pass's own manager closes.
     */
    private NDArray kept(NDArray a) {
        a.attach(manager);
        NDScope.unregister(a);
        return a;
    }

    /** The observations, after checking that every parameter the network read was observed. */
    List<Observation> observations() {
        for (String name : fetched) {
            if (!observed.contains(name)) {
                throw new IllegalArgumentException("parameter " + name + " belongs to a layer that factored per-example"
                        + " gradients do not support (only Linear, Embedding, dense Conv2d and GroupNorm); use expanded"
                        + " weights");
            }
        }
        return observations;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public boolean observes() {
        return true;
    }

    @Override
    public boolean perExample() {
        return false;
    }

    @Override
    public int examples() {
        return examples;
    }

    @Override
    public int draws() {
        return draws;
    }

    @Override
    public BatchRandomness randomness() {
        return randomness;
    }

    @Override
    public NDManager manager() {
        return manager;
    }
}
