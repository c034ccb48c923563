package io.dpdm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import io.dpdm.nn.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {
    @TempDir Path dir;

    @BeforeAll
    static void engine() {
        Torch.engine();
    }

    @Test
    void roundTripsTensorsAndMeta() throws IOException {
        Path file = dir.resolve("ckpt.zip");
        try (NDManager m = NDManager.newBaseManager()) {
            ObjectNode meta = new ObjectMapper().createObjectNode().put("step", 42);
            float[] w = {1.5f, -2f, 3.25f, 0f, 7f, -0.125f};
            CheckpointFile.write(file, meta, Map.of(
                    "params", Map.of("conv.w", m.create(w, new Shape(2, 3))),
                    "ema", Map.of("conv.w", m.create(w, new Shape(2, 3)).mul(2))));
            var back = CheckpointFile.read(file, m);
            assertEquals(42, back.meta().get("step").asInt());
            assertArrayEquals(w, back.group(file, "params").get("conv.w").toFloatArray());
            assertEquals(new Shape(2, 3), back.group(file, "ema").get("conv.w").getShape());
            assertEquals(-4f, back.group(file, "ema").get("conv.w").toFloatArray()[1]);
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void refusesUnknownVersionMissingAndTruncatedFiles() throws IOException {
        Path future = dir.resolve("future.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(future))) {
            zip.putNextEntry(new ZipEntry("format.json"));
            zip.write("{\"format\":\"dpdm-checkpoint\",\"version\":99}".getBytes());
            zip.closeEntry();
        }
        assertMessage(future, "format version 99 is not supported");
        assertMessage(dir.resolve("absent.zip"), "checkpoint not found");

        Path good = dir.resolve("good.zip");
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointFile.write(good, new ObjectMapper().createObjectNode(),
                    Map.of("params", Map.of("w", m.ones(new Shape(1000)))));
        }
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.zip");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        DpdmException e = assertThrows(DpdmException.class, () -> read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }

    private static void read(Path file) {
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointFile.read(file, m);
        }
    }

    private static void assertMessage(Path file, String expected) {
        DpdmException e = assertThrows(DpdmException.class, () -> read(file));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().startsWith(file.toString()), e.getMessage());
    }
}
