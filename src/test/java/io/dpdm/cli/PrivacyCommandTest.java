package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivacyCommandTest {
    @Test
    void opacusExamplePrints7point3291() {
        CliRun r = CliRun.of("privacy", "epsilon", "--sample-rate", "0.04", "--noise-multiplier", "1.5", "--steps", "2250",
                "--delta", "1e-5", "--accountant", "rdp");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("epsilon 7.3291 "), r.out());
    }

    @Test
    void jsonCarriesEpsilonDeltaAccountantAndOrder() throws Exception {
        CliRun r = CliRun.of("privacy", "epsilon", "--sample-rate", "0.04", "--noise-multiplier", "1.5", "--steps", "2250",
                "--delta", "1e-5", "--accountant", "rdp", "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(7.32911117143, j.get("epsilon").asDouble(), 1e-6);
        assertEquals(1e-5, j.get("delta").asDouble(), 0);
        assertEquals("rdp", j.get("accountant").asText());
        assertEquals(3.9, j.get("optimal_order").asDouble(), 0);
    }

    @Test
    void noiseByDatasetSizeEqualsNoiseBySampleRate() throws Exception {
        // N = 60000, B = 150, 15 epochs: q = 0.0025, T = 6000
        CliRun a = CliRun.of("privacy", "noise", "--epsilon", "1", "--delta", "1e-5", "--dataset-size", "60000", "--batch-size",
                "150", "--epochs", "15", "--accountant", "rdp", "--json");
        CliRun b = CliRun.of("privacy", "noise", "--epsilon", "1", "--delta", "1e-5", "--sample-rate", "0.0025", "--steps", "6000",
                "--accountant", "rdp", "--json");
        assertEquals(0, a.code(), a.err());
        JsonNode ja = new ObjectMapper().readTree(a.out());
        JsonNode jb = new ObjectMapper().readTree(b.out());
        assertEquals(jb, ja);
        assertEquals(6000, ja.get("steps").asLong());
        assertTrue(ja.get("epsilon").asDouble() <= 1);
        assertTrue(ja.has("noise_multiplier"));
    }

    @Test
    void plotIsWritten(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("eps.png");
        CliRun r = CliRun.of("privacy", "epsilon", "--sample-rate", "0.01", "--noise-multiplier", "1", "--steps", "500",
                "--delta", "1e-5", "--accountant", "rdp", "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
    }

    @Test
    void badInputIsAOneLineUsageError() {
        String[][] bad = {
            {"--sample-rate", "1.5", "--noise-multiplier", "1", "--steps", "10", "--delta", "1e-5"},
            {"--sample-rate", "0", "--noise-multiplier", "1", "--steps", "10", "--delta", "1e-5"},
            {"--sample-rate", "0.1", "--noise-multiplier", "0", "--steps", "10", "--delta", "1e-5"},
            {"--sample-rate", "0.1", "--noise-multiplier", "1", "--steps", "0", "--delta", "1e-5"},
            {"--sample-rate", "0.1", "--noise-multiplier", "1", "--steps", "10", "--delta", "1"},
            {"--sample-rate", "0.1", "--noise-multiplier", "1", "--steps", "10", "--delta", "1e-5", "--accountant", "gdp"},
        };
        for (String[] args : bad) {
            String[] full = new String[args.length + 2];
            full[0] = "privacy";
            full[1] = "epsilon";
            System.arraycopy(args, 0, full, 2, args.length);
            CliRun r = CliRun.of(full);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        CliRun unreachable = CliRun.of("privacy", "noise", "--epsilon", "0.0001", "--delta", "1e-5", "--sample-rate", "1",
                "--steps", "10000000", "--accountant", "rdp");
        assertEquals(2, unreachable.code());
        assertTrue(unreachable.err().contains("unreachable"), unreachable.err());
    }
}
