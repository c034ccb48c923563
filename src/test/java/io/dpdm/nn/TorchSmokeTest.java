package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class TorchSmokeTest {
    @Test
    void engineStartsOfflineAndMultiplies() {
        assertEquals("PyTorch", Torch.engine().getEngineName());
        assertEquals("true", System.getProperty("ai.djl.offline"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            float[] product = a.matMul(a).toFloatArray();
            assertArrayEquals(new float[] {7, 10, 15, 22}, product, 0f);
        }
    }
}
