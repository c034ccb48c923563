package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dpdm bench sample --profile}: a small run names its operators and leaves PyTorch's trace (tests run one thread). */
class SampleBenchCommandTest {
    @Test
    void profileNamesTheOperatorsOfOneRepeat(@TempDir Path dir) throws Exception {
        Path profile = dir.resolve("prof");
        CliRun r = CliRun.of("bench", "sample", "--model", "unet-cpu", "--batch", "2", "--steps", "2", "--repeats", "1",
                "--precision", "fp32", "--profile", profile.toString(), "--json");
        assertEquals(Main.OK, r.code(), r.err());
        JsonNode figures = new ObjectMapper().readTree(r.out()).path("profile_repeat");
        assertTrue(Files.size(profile.resolve("sample.json")) > 0);
        // two Euler steps of the patch-2 U-Net: dozens of convolutions and more element-wise operators
        assertTrue(figures.path("operator_calls").asLong() > 100, figures.toString());
        assertTrue(figures.path("self_ms").asLong() > 0, figures.toString());
        assertEquals(BenchCommand.PROFILED_OPERATORS, figures.path("top").size());
        assertTrue(figures.path("top").toString().contains("aten::"), figures.toString());
    }
}
