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

    /**
     * Patch size 2: the network's convolutions see 4 channels of 2x2 patches on a 14x14 grid and
     * its output is an image again (that the rearrangement is exact is checked through gradients
     * against a batch-of-one loop in UNetGradientTest).
     */
    @Test
    void patchedNetworkWorksOnTheGridAndKeepsTheImageShape() {
        UNetConfig config = new UNetConfig(28, 1, 16, java.util.List.of(1, 2), 1, java.util.List.of(7), 0, 10, 2);
        assertEquals(14, config.gridSize());
        try (ParameterStore store = new ParameterStore(3); NDManager m = Torch.engine().newBaseManager()) {
            UNet net = UNet.create(store, config);
            assertEquals(new Shape(16, 4, 3, 3), store.get("input.weight").getShape(), "4 channels of 2x2 patches");
            assertEquals(new Shape(4, 16, 3, 3), store.get("head.conv.weight").getShape());
            NDArray x = m.randomNormal(new Shape(2, 1, 28, 28));
            NDArray out = Gradients.forward(m, store, 2, 1,
                    w -> net.apply(w, x, m.create(new float[] {-0.5f, 0.3f}), m.create(new int[] {4, 10})));
            assertEquals(new Shape(2, 1, 28, 28), out.getShape());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new UNetConfig(28, 1, 16, java.util.List.of(1, 2, 2), 1, java.util.List.of(7), 0, 10, 2),
                "14 is not divisible by 4 for three levels");
    }

    /** The rearrangement itself, entry by entry, and its inverse. */
    @Test
    void patchesStackEachBlockAsChannelsAndUnstackExactly() {
        try (NDManager m = Torch.engine().newBaseManager()) {
            float[] v = new float[2 * 3 * 4 * 6];
            for (int i = 0; i < v.length; i++) {
                v[i] = i;
            }
            NDArray x = m.create(v, new Shape(2, 3, 4, 6));
            NDArray p = UNet.toPatches(x, 2);
            assertEquals(new Shape(2, 12, 2, 3), p.getShape());
            float[] got = p.toFloatArray();
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 4; y++) {
                        for (int xx = 0; xx < 6; xx++) {
                            int channel = (c * 2 + y % 2) * 2 + xx % 2;
                            assertEquals(v[((n * 3 + c) * 4 + y) * 6 + xx],
                                    got[((n * 12 + channel) * 2 + y / 2) * 3 + xx / 2], 0f);
                        }
                    }
                }
            }
            assertEquals(java.util.Arrays.toString(v), java.util.Arrays.toString(UNet.fromPatches(p, 3, 2).toFloatArray()));
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
