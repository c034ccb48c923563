package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Map;

/**
 * SGD with optional heavy-ball momentum in PyTorch's form (dampening 0, no Nesterov):
 * buf = momentum * buf + g (buf starts at 0, so the first buf is g); p -= lr * buf.
 * With momentum 0 this is p -= lr * g. Updates the parameters in place, in float32.
 */
public final class Sgd implements Optimizer {
    private final Map<String, NDArray> params;
    private final double lr;
    private final double momentum;
    private final ParameterState buffers;
    private long steps;

    public Sgd(Map<String, NDArray> params, double lr, double momentum) {
        if (!(lr > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD needs lr > 0 and momentum in [0, 1); got lr=" + lr
                    + " momentum=" + momentum);
        }
        this.params = params;
        this.lr = lr;
        this.momentum = momentum;
        this.buffers = new ParameterState("sgd.momentum", momentum > 0 ? params : Map.of(), false);
    }

    @Override
    public void update(Map<String, NDArray> grads) {
        ParameterState.requireSameNames(params, grads);
        steps++;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            grads.forEach((name, g) -> {
                NDArray direction = momentum > 0 ? buffers.get(name).muli((float) momentum).addi(g) : g;
                params.get(name).subi(direction.mul((float) lr));
            });
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public Map<String, NDArray> stateArrays() {
        return buffers.export();
    }

    @Override
    public void restore(long steps, Map<String, NDArray> arrays) {
        if (steps < 0) {
            throw new IllegalArgumentException("optimizer steps must be >= 0, got " + steps);
        }
        buffers.restore(arrays);
        this.steps = steps;
    }
}
