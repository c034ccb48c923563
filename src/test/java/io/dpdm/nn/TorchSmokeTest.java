package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * PyTorch starts a new thread recording gradients; a pass without gradients must not record
     * (Bfloat16 takes its inference route by that), and leaves the thread's mode as it found it.
     */
    @Test
    void passesWithoutGradientsRecordNoneEvenOnANewThread() throws InterruptedException {
        AtomicBoolean before = new AtomicBoolean();
        AtomicBoolean during = new AtomicBoolean(true);
        AtomicBoolean after = new AtomicBoolean();
        Thread worker = new Thread(() -> {
            try (NDManager m = Torch.engine().newBaseManager()) {
                ParameterStore store = new ParameterStore(1);
                before.set(JniUtils.isGradMode());
                Gradients.forward(m, store, 1, 1, w -> {
                    during.set(JniUtils.isGradMode());
                    return w.manager().zeros(new Shape(1));
                });
                after.set(JniUtils.isGradMode());
            }
        });
        worker.start();
        worker.join();
        assertTrue(before.get(), "a new thread records gradients (PyTorch's default)");
        assertFalse(during.get(), "the pass recorded gradients");
        assertTrue(after.get(), "the thread's grad mode was not restored");
    }
}
