package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Single-head self-attention over the spatial positions of (N, C, H, W), the DDPM++
 * {@code AttnBlockpp} with skip rescaling: h = GroupNorm(x); q, k, v = 1x1 linear maps of h;
 * a = softmax(q k^T / sqrt(C)) over positions; out = (x + W_o (a v)) / sqrt(2).
 * q/k/v use variance scaling 0.1 and the output map starts almost at zero (scale 1e-10), as
 * in DDPM++ (so the block starts near x / sqrt 2).
 */
public record SelfAttention(GroupNorm norm, Linear query, Linear key, Linear value, Linear output) implements Layer {
    public static SelfAttention create(ParameterStore s, String name, int channels) {
        return new SelfAttention(
                GroupNorm.create(s, name + ".norm", channels),
                Linear.create(s, name + ".q", channels, channels, true, 0.1),
                Linear.create(s, name + ".k", channels, channels, true, 0.1),
                Linear.create(s, name + ".v", channels, channels, true, 0.1),
                Linear.create(s, name + ".out", channels, channels, true, 0));
    }

    @Override
    public NDArray forward(Weights w, NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long positions = s.get(2) * s.get(3);
        NDArray tokens = norm.forward(w, x).reshape(n, c, positions).transpose(0, 2, 1);
        NDArray q = query.forward(w, tokens);
        NDArray k = key.forward(w, tokens);
        NDArray v = value.forward(w, tokens);
        // Softmax in float32: DJL's softmax names the array's type, which it cannot for bfloat16.
        NDArray scores = Bfloat16.toFloat32(Bfloat16.matMul(w, q, k.transpose(0, 2, 1)));
        NDArray attention = scores.mul(Torch.scalar(w.manager(), 1 / Math.sqrt(c))).softmax(2);
        NDArray h = output.forward(w, Bfloat16.matMul(w, attention, v)).transpose(0, 2, 1).reshape(s);
        if (FlopCount.active()) { // q k^T: (n, P, P) dots of length c; attention v: (n, P, c) dots of length P
            FlopCount.product(new Shape(n, positions, positions), c);
            FlopCount.product(new Shape(n, positions, c), positions);
        }
        return x.add(h).mul(Torch.scalar(w.manager(), Math.sqrt(0.5)));
    }
}
