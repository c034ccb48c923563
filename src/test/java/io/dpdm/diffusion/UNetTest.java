package io.dpdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Gradients;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import org.junit.jupiter.api.Test;

class UNetTest {
    /** Reference counts from the DDPM++ layer arithmetic (unet_param_count.py; DPDM: 1.75M / 1.80M). */
    @Test
    void parameterCountsMatchDpdm() {
        try (ParameterStore mnist = new ParameterStore(1); ParameterStore celeba = new ParameterStore(2)) {
            UNet.create(mnist, UNetConfig.dpdm28(10));
            UNet.create(celeba, UNetConfig.celeba32());
            assertEquals(1_753_345, mnist.count());
            assertEquals(1_804_451, celeba.count());
        }
    }

    @Test
    void fullSizeForwardKeepsTheImageShape() {
        try (ParameterStore store = new ParameterStore(3); NDManager m = Torch.engine().newBaseManager()) {
            UNet net = UNet.create(store, UNetConfig.dpdm28(10));
            NDArray x = m.randomNormal(new Shape(2, 1, 28, 28));
            NDArray out = Gradients.forward(m, store, 2, 1,
                    w -> net.apply(w, x, m.create(new float[] {-0.5f, 0.3f}), m.create(new int[] {4, 10})));
            assertEquals(new Shape(2, 1, 28, 28), out.getShape());
            for (float v : out.toFloatArray()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void labelsAreChecked() {
        try (ParameterStore store = new ParameterStore(4); NDManager m = Torch.engine().newBaseManager()) {
            UNet net = UNet.create(store, UNetConfig.tiny(1, 3));
            NDArray x = m.zeros(new Shape(2, 1, 8, 8));
            NDArray c = m.zeros(new Shape(2));
            String missing = assertThrows(IllegalArgumentException.class,
                    () -> Gradients.forward(m, store, 2, 1, w -> net.apply(w, x, c, null))).getMessage();
            assertTrue(missing.contains("needs a label per row"), missing);
            String outside = assertThrows(IllegalArgumentException.class,
                    () -> Gradients.forward(m, store, 2, 1, w -> net.apply(w, x, c, m.create(new int[] {0, 4}))))
                    .getMessage();
            assertTrue(outside.startsWith("class label 4 is outside [0, 3]"), outside);
        }
    }
}
