package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Counted FLOPs against the textbook count 2 x outputs x dot length, in shared and per-example mode. */
class FlopCountTest {
    private static final long CONV = 2L * 3 * 4 * 5 * 5 * (2 * 3 * 3); // (3 rows, 4 out, 5x5) dots over 2 x 3 x 3 taps
    private static final long DENSE = 2L * 3 * 7 * 6; // (3 rows, 7 out) dots of length 6
    // 4 dense maps of 18 tokens x 4 channels (length 4), then q k^T (2 x 9 x 9, length 4) and a v (2 x 9 x 4, length 9)
    private static final long ATTENTION = 4 * (2L * 18 * 4 * 4) + 2L * 2 * 9 * 9 * 4 + 2L * 2 * 9 * 4 * 9;

    @Test
    void layersCountTheirProducts() {
        try (ParameterStore s = new ParameterStore(1); NDManager m = Torch.engine().newBaseManager()) {
            Conv2d conv = Conv2d.create(s, "c", 2, 4, 3);
            Linear dense = Linear.create(s, "d", 6, 7);
            SelfAttention attention = SelfAttention.create(s, "a", 4);
            NDArray image = m.randomNormal(new Shape(3, 2, 5, 5));
            NDArray rows = m.randomNormal(new Shape(3, 6));
            NDArray tokens = m.randomNormal(new Shape(2, 4, 3, 3));
            assertEquals(CONV, FlopCount.of(() -> Gradients.forward(m, s, 3, 1, w -> conv.forward(w, image))));
            assertEquals(DENSE, FlopCount.of(() -> Gradients.forward(m, s, 3, 1, w -> dense.forward(w, rows))));
            assertEquals(ATTENTION, FlopCount.of(() -> Gradients.forward(m, s, 2, 1, w -> attention.forward(w, tokens))));
            // per-example weights do the same arithmetic, one example's weights per row
            assertEquals(CONV, FlopCount.of(() -> Gradients.perExample(m, s, 3, 1, null,
                    w -> conv.forward(w, image).sum(new int[] {1, 2, 3}))));
            // nested counts add up to the enclosing one
            assertEquals(CONV + DENSE, FlopCount.of(() -> {
                FlopCount.of(() -> Gradients.forward(m, s, 3, 1, w -> conv.forward(w, image)));
                Gradients.forward(m, s, 3, 1, w -> dense.forward(w, rows));
            }));
        }
        assertEquals(false, FlopCount.active());
    }
}
