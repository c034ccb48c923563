package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.dpdm.DpdmException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterStoreTest {
    /** The DPDM downstream CNN: 4 weights and biases counted by hand. */
    static Layer downstreamCnn(ParameterStore s) {
        return Sequential.of(
                Conv2d.create(s, "conv1", 1, 32, 3, 1, 0, 1, true, 1.0), new Spatial.MaxPool2d(2), Activation.RELU, new Dropout(0.5),
                Conv2d.create(s, "conv2", 32, 64, 3, 1, 0, 1, true, 1.0), new Spatial.MaxPool2d(2), Activation.RELU,
                Conv2d.create(s, "conv3", 64, 128, 3, 1, 0, 1, true, 1.0), Activation.RELU, Spatial.FLATTEN,
                Linear.create(s, "fc1", 1152, 128), Activation.RELU, Linear.create(s, "fc2", 128, 10));
    }

    @Test
    void countsParametersOfTheDownstreamCnnAndAnAttentionBlock() {
        try (ParameterStore s = new ParameterStore(1)) {
            downstreamCnn(s);
            long expected = (32 * 9 + 32) + (64 * 32 * 9 + 64) + (128 * 64 * 9 + 128) + (1152 * 128 + 128) + (128 * 10 + 10);
            assertEquals(expected, s.count());
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias",
                    "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(s.asMap().keySet()));
        }
        try (ParameterStore s = new ParameterStore(1)) {
            SelfAttention.create(s, "att", 16);
            assertEquals(2 * 16 + 4 * (16 * 16 + 16), s.count());
        }
    }

    @Test
    void varianceScalingHasTheFanAvgUniformRange() {
        try (ParameterStore s = new ParameterStore(2)) {
            NDArray w = s.varianceScaling("w", new Shape(64, 32, 3, 3), 1.0);
            double limit = Math.sqrt(3 / ((64 * 9 + 32 * 9) / 2.0));
            float max = w.abs().max().getFloat();
            assertTrue(max <= limit && max > 0.99 * limit, "max " + max + " vs limit " + limit);
            // Uniform(-a, a) has variance a^2 / 3 = 1 / fan_avg.
            double variance = w.square().mean().getFloat();
            assertEquals(1 / ((64 * 9 + 32 * 9) / 2.0), variance, 0.05 / ((64 * 9 + 32 * 9) / 2.0));
            NDArray tiny = s.varianceScaling("zero", new Shape(8, 8), 0);
            assertTrue(tiny.abs().max().getFloat() < 1e-5f);
            assertEquals(0f, s.zeros("b", new Shape(3)).abs().sum().getFloat());
            assertEquals(3f, s.ones("g", new Shape(3)).sum().getFloat());
        }
    }

    /** A prefix covers a name or a dotted path under it ("conv1" not "conv10"); copies keep the choice. */
    @Test
    void freezeCoversNamesAndDottedPrefixesAndRefusesWhatCannotBeMet() {
        try (ParameterStore s = new ParameterStore(1)) {
            s.zeros("conv1.weight", new Shape(2));
            s.zeros("conv1.bias", new Shape(2));
            s.zeros("conv10.weight", new Shape(2));
            s.zeros("fc.weight", new Shape(2));
            s.freeze(List.of("conv1", "fc.weight"));
            assertEquals(List.of("conv10.weight"), List.copyOf(s.trained().keySet()));
            assertTrue(s.isTrained("conv10.weight") && !s.isTrained("conv1.bias"));
            try (ParameterStore copy = s.copy()) {
                assertEquals(List.of("conv10.weight"), List.copyOf(copy.trained().keySet()));
            }
            s.freeze(List.of());
            assertEquals(4, s.trained().size(), "an empty list trains everything again");
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> s.freeze(List.of("conv")));
            assertTrue(unknown.getMessage().contains("'conv' names no parameter"), unknown.getMessage());
            IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
                    () -> s.freeze(List.of("conv1", "conv10", "fc")));
            assertTrue(all.getMessage().contains("leaves no parameter"), all.getMessage());
        }
    }

    @Test
    void sameSeedSameValues() {
        try (ParameterStore a = new ParameterStore(3); ParameterStore b = new ParameterStore(3)) {
            downstreamCnn(a);
            downstreamCnn(b);
            for (String name : a.asMap().keySet()) {
                assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), name);
            }
        }
    }

    @Test
    void saveLoadRoundTripAndIndependentCopy(@TempDir Path dir) {
        Path file = dir.resolve("sub/params.bin");
        try (ParameterStore a = new ParameterStore(4); ParameterStore b = new ParameterStore(5)) {
            downstreamCnn(a);
            Embedding.create(a, "label", 11, 4);
            downstreamCnn(b);
            Embedding.create(b, "label", 11, 4);
            assertNotEquals(a.get("fc1.weight").getFloat(0, 0), b.get("fc1.weight").getFloat(0, 0));
            a.save(file);
            b.load(file);
            for (String name : a.asMap().keySet()) {
                assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), name);
            }
            try (ParameterStore c = a.copy()) {
                c.get("fc2.bias").addi(c.get("fc2.bias").onesLike());
                assertEquals(0f, a.get("fc2.bias").abs().sum().getFloat());
                assertEquals(10f, c.get("fc2.bias").sum().getFloat());
            }
        }
    }

    @Test
    void loadRejectsAMismatchNamingTheParameter(@TempDir Path dir) {
        Path file = dir.resolve("params.bin");
        try (ParameterStore a = new ParameterStore(6); ParameterStore wrongShape = new ParameterStore(6);
                ParameterStore wrongName = new ParameterStore(6)) {
            Conv2d.create(a, "conv", 1, 8, 3);
            a.save(file);
            Conv2d.create(wrongShape, "conv", 1, 8, 5);
            DpdmException e = assertThrows(DpdmException.class, () -> wrongShape.load(file));
            assertTrue(e.getMessage().contains("'conv.weight'") && e.getMessage().contains("(8, 1, 3, 3)")
                    && e.getMessage().contains("(8, 1, 5, 5)"), e.getMessage());
            Conv2d.create(wrongName, "other", 1, 8, 3);
            e = assertThrows(DpdmException.class, () -> wrongName.load(file));
            assertTrue(e.getMessage().contains("'conv.weight'") && e.getMessage().contains("'other.weight'"), e.getMessage());
            e = assertThrows(DpdmException.class, () -> a.load(dir.resolve("missing.bin")));
            assertTrue(e.getMessage().contains("missing.bin"), e.getMessage());
        }
    }
}
