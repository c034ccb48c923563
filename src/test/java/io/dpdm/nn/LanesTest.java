package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LanesTest {
    @Test
    void splitKeepsOrderAndBalancesParts() {
        int[] indices = IntStream.range(100, 107).toArray();
        int[][] parts = Lanes.split(indices);
        assertEquals(Math.min(Lanes.count(), 7), parts.length);
        List<Integer> joined = new ArrayList<>();
        for (int[] p : parts) {
            assertTrue(p.length >= 7 / parts.length && p.length <= 7 / parts.length + 1, "balanced parts");
            for (int i : p) {
                joined.add(i);
            }
        }
        assertEquals(IntStream.range(100, 107).boxed().toList(), joined);
        assertEquals(1, Lanes.split(new int[] {5}).length);
    }

    @Test
    void resultsComeBackInTaskOrderAndFailuresAreRethrown() {
        List<Supplier<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int v = i;
            tasks.add(() -> v * v);
        }
        assertEquals(List.of(0, 1, 4, 9, 16), Lanes.all(tasks));
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> Lanes.all(List.<Supplier<Integer>>of(() -> 1, () -> {
                    throw boom;
                }))));
    }

    /**
     * Every index of the batch reaches exactly one part, in passes of at most the pass size, and
     * the sum is the closed form; each part's manager is closed once its arrays are added.
     */
    @Test
    void addInPassesSumsEveryPartOfEveryPassAndFreesItsArrays() {
        try (NDManager m = Torch.engine().newBaseManager()) {
            int[] batch = IntStream.range(1, 12).toArray(); // 1..11
            Map<String, NDArray> sum = new LinkedHashMap<>();
            sum.put("total", m.zeros(new Shape(1)));
            sum.put("squares", m.zeros(new Shape(1)));
            List<NDManager> partManagers = Collections.synchronizedList(new ArrayList<>());
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            Lanes.addInPasses(sum, batch, 4, (part, pm) -> {
                assertTrue(part.length <= 4, "a part lies within one pass of 4");
                partManagers.add(pm);
                Map<String, NDArray> out = new LinkedHashMap<>();
                out.put("total", pm.create(new float[] {IntStream.of(part).sum()}));
                out.put("squares", pm.create(new float[] {IntStream.of(part).map(i -> i * i).sum()}));
                IntStream.of(part).forEach(seen::add);
                return out;
            });
            assertEquals(66f, sum.get("total").getFloat(0), "1 + ... + 11");
            assertEquals(506f, sum.get("squares").getFloat(0), "1^2 + ... + 11^2");
            assertEquals(IntStream.range(1, 12).boxed().toList(), seen.stream().sorted().toList());
            partManagers.forEach(pm -> assertFalse(pm.isOpen(), "a part's manager outlived its pass"));
        }
    }

    /**
     * Gradient recording is per thread: passes running at once in lanes give exactly the
     * gradients each gives alone (one PyTorch thread each, so the arithmetic is the same).
     */
    @Test
    void concurrentBackwardPassesAreIndependent() {
        try (ParameterStore s = new ParameterStore(3); NDManager m = Torch.engine().newBaseManager()) {
            Layer net = Sequential.of(Conv2d.create(s, "c", 2, 4, 3), GroupNorm.create(s, "n", 4), Activation.SILU,
                    Spatial.FLATTEN, Linear.create(s, "l", 4 * 5 * 5, 3));
            List<NDArray> inputs = List.of(m.randomNormal(new Shape(6, 2, 5, 5)), m.randomNormal(new Shape(6, 2, 5, 5)));
            List<Supplier<float[][]>> passes = new ArrayList<>();
            for (NDArray x : inputs) {
                passes.add(() -> gradients(s, net, x));
            }
            List<float[][]> together = Lanes.all(passes);
            for (int i = 0; i < inputs.size(); i++) {
                float[][] alone = Lanes.all(List.of(passes.get(i), () -> new float[0][])).get(0);
                for (int p = 0; p < alone.length; p++) {
                    assertArrayEquals(alone[p], together.get(i)[p], 0f, "parameter " + p + " of pass " + i);
                }
            }
        }
    }

    private static float[][] gradients(ParameterStore s, Layer net, NDArray x) {
        try (NDManager step = s.manager().newSubManager()) {
            Map<String, NDArray> g = Gradients.batch(step, s, 6, 1, null,
                    w -> net.forward(w, x).square().reshape(6, -1).sum(new int[] {1}));
            return g.values().stream().map(NDArray::toFloatArray).toArray(float[][]::new);
        }
    }
}
