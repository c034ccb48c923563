package io.dpdm.dp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015, Algorithm 1) without weight decay, in PyTorch's arithmetic:
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= (lr_t / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), lr_t from a {@link LearningRate}.
 * DPDM: lr 3e-4 (constant), betas (0.9, 0.999), eps 1e-8. Updates the parameters in place, in
 * float32.
 */
public final class Adam implements Optimizer {
    private final Map<String, NDArray> params;
    private final LearningRate lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final ParameterState m;
    private final ParameterState v;
    private long steps;

    public Adam(Map<String, NDArray> params, LearningRate lr, double beta1, double beta2, double eps) {
        if (lr == null || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("Adam needs lr > 0, betas in [0, 1), eps > 0; got lr=" + lr
                    + " betas=(" + beta1 + ", " + beta2 + ") eps=" + eps);
        }
        this.params = params;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new ParameterState("adam.m", params, false);
        this.v = new ParameterState("adam.v", params, false);
    }

    /** Adam with PyTorch's default betas (0.9, 0.999) and eps 1e-8. */
    public Adam(Map<String, NDArray> params, LearningRate lr) {
        this(params, lr, 0.9, 0.999, 1e-8);
    }

    /** Adam with a constant learning rate and PyTorch's default betas (0.9, 0.999) and eps 1e-8. */
    public Adam(Map<String, NDArray> params, double lr) {
        this(params, LearningRate.constant(lr));
    }

    @Override
    public void update(Map<String, NDArray> grads) {
        ParameterState.requireSameNames(params, grads);
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        double rate = lr.at(steps);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            grads.forEach((name, g) -> {
                NDArray mi = m.get(name).muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                NDArray vi = v.get(name).muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray denom = vi.sqrt().divi((float) Math.sqrt(bc2)).addi((float) eps);
                params.get(name).subi(mi.div(denom).muli((float) (rate / bc1)));
            });
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public Map<String, NDArray> stateArrays() {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>(m.export());
        out.putAll(v.export());
        return out;
    }

    @Override
    public void restore(long steps, Map<String, NDArray> arrays) {
        if (steps < 0) {
            throw new IllegalArgumentException("optimizer steps must be >= 0, got " + steps);
        }
        m.restore(arrays);
        v.restore(arrays);
        this.steps = steps;
    }
}
