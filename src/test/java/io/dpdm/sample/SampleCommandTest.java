package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.dpdm.cli.CliRun;
import io.dpdm.cli.Main;
import io.dpdm.model.ModelCard;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Torch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dpdm sample} end to end through Main.run: one success, and every refusal as one line. */
class SampleCommandTest {
    @TempDir static Path dir;
    private static Path run;
    private static Path uncond;

    @BeforeAll
    static void models() throws Exception {
        Torch.engine();
        run = Files.createDirectories(dir.resolve("run"));
        TestModels.write(run.resolve("model.zip"), TestModels.conditional(), Map.of());
        uncond = TestModels.write(dir.resolve("uncond.zip"), TestModels.unconditional(), Map.of());
    }

    private static CliRun sample(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "sample";
        System.arraycopy(args, 0, full, 1, args.length);
        return CliRun.of(full);
    }

    private static String out(String name) {
        return dir.resolve(name).toString();
    }

    private static void refused(int code, String part, String... args) {
        CliRun r = sample(args);
        assertEquals(code, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(part), r.err());
    }

    @Test
    void writesASetFromARunFolder() throws Exception {
        CliRun r = sample("--run", run.toString(), "--count", "4", "--sampler", "edm-churn", "--steps", "2",
                "--s-churn", "10", "--guidance", "0.5", "--classes", "a,2", "--seed", "9", "--batch-size", "3",
                "--format", "idx", "--out", out("ok"), "--json");
        assertEquals(Main.OK, r.code(), r.err());
        assertTrue(r.out().contains("\"per_class\":{\"a\":2,\"c\":2}"), r.out());
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("ok/manifest.json").toFile());
        assertEquals("stochastic", manifest.at("/sampler/solver/type").asText());
        assertEquals(10.0, manifest.at("/sampler/solver/sChurn").asDouble());
        assertEquals(0.5, manifest.at("/sampler/guidance").asDouble());
        assertEquals(6, manifest.at("/sampler/evaluations_per_image").asInt());
        assertTrue(Files.exists(dir.resolve("ok/idx/train-images-idx3-ubyte.gz")));
    }

    @Test
    void runCountAndOutAreEnough() throws Exception {
        CliRun r = sample("--run", run.toString(), "--count", "3", "--out", out("defaults"));
        assertEquals(Main.OK, r.code(), r.err());
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("defaults/manifest.json").toFile());
        // the demo's sampler: EDM churn with DPDM's published settings on 10 levels
        assertEquals("stochastic", manifest.at("/sampler/solver/type").asText());
        assertEquals(100.0, manifest.at("/sampler/solver/sChurn").asDouble());
        assertEquals(10, manifest.at("/sampler/grid/steps").asInt(), manifest.toString());
        assertEquals(3, manifest.at("/images/count").asInt(), manifest.toString());
    }

    @Test
    void badModelsAreRefused() throws Exception {
        String[] rest = {"--count", "2", "--sampler", "euler", "--steps", "2", "--out"};
        refused(Main.FAILED, "model file not found", cat(new String[] {"--checkpoint", out("none.zip")}, rest, out("m1")));
        refused(Main.FAILED, "no model.zip", cat(new String[] {"--run", dir.toString()}, rest, out("m2")));

        ModelCard card = TestModels.conditional();
        Path misshapen = dir.resolve("misshapen.zip");
        try (ParameterStore good = new ParameterStore(1)) {
            io.dpdm.diffusion.UNet.create(good, card.network());
            Map<String, NDArray> bad = new LinkedHashMap<>(good.asMap());
            bad.put("input.weight", good.manager().zeros(new ai.djl.ndarray.types.Shape(8, 1, 5, 5)));
            TestModels.write(misshapen, card, good.asMap(), bad, Map.of());
        }
        refused(Main.FAILED, "parameter 'input.weight' has shape (8, 1, 5, 5) float32 but the network needs (8, 1, 3, 3)",
                cat(new String[] {"--checkpoint", misshapen.toString()}, rest, out("m3")));
        // the raw weights of that file are fine
        assertEquals(Main.OK, sample(cat(new String[] {"--checkpoint", misshapen.toString(), "--weights", "raw"}, rest,
                out("m3raw"))).code());

        Path future = dir.resolve("future.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(future))) {
            zip.putNextEntry(new ZipEntry("format.json"));
            zip.write("{\"format\":\"dpdm-checkpoint\",\"version\":99}".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        refused(Main.FAILED, "format version 99 is not supported",
                cat(new String[] {"--checkpoint", future.toString()}, rest, out("m4")));
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        String ckpt = run.resolve("model.zip").toString();
        refused(Main.USAGE, "class index 3 is out of range",
                "--checkpoint", ckpt, "--count", "2", "--classes", "0,3", "--sampler", "euler", "--steps", "2", "--out", out("a1"));
        refused(Main.USAGE, "unknown class 'Dress'",
                "--checkpoint", ckpt, "--classes", "Dress=4", "--sampler", "euler", "--steps", "2", "--out", out("a2"));
        refused(Main.FAILED, "needs a class-conditional model",
                "--checkpoint", uncond.toString(), "--count", "2", "--guidance", "1", "--sampler", "euler", "--steps", "2",
                "--out", out("a3"));
        refused(Main.USAGE, "unconditional",
                "--checkpoint", uncond.toString(), "--count", "2", "--classes", "0", "--sampler", "euler", "--steps", "2",
                "--out", out("a3b"));
        refused(Main.USAGE, "--count must be >= 1, got 0",
                "--checkpoint", ckpt, "--count", "0", "--sampler", "euler", "--steps", "2", "--out", out("a4"));
        refused(Main.USAGE, "--count must be >= 1, got -3",
                "--checkpoint", ckpt, "--count", "-3", "--sampler", "euler", "--steps", "2", "--out", out("a5"));
        refused(Main.USAGE, "--steps must be >= 2",
                "--checkpoint", ckpt, "--count", "2", "--sampler", "heun", "--steps", "1", "--out", out("a6"));
        refused(Main.USAGE, "--sampler must be",
                "--checkpoint", ckpt, "--count", "2", "--sampler", "ddpm", "--steps", "5", "--out", out("a7"));
        refused(Main.USAGE, "edm-churn only",
                "--checkpoint", ckpt, "--count", "2", "--sampler", "heun", "--steps", "5", "--s-churn", "3", "--out", out("a8"));
        refused(Main.USAGE, "guidance weight must be",
                "--checkpoint", ckpt, "--count", "2", "--sampler", "heun", "--steps", "5", "--guidance", "-1", "--out", out("a9"));
        refused(Main.USAGE, "--batch-size must be >= 1",
                "--checkpoint", ckpt, "--count", "2", "--sampler", "heun", "--steps", "5", "--batch-size", "0", "--out", out("a10"));
        refused(Main.USAGE, "sigma_min < sigma_max",
                "--checkpoint", ckpt, "--count", "2", "--sampler", "heun", "--steps", "5", "--sigma-min", "90", "--out", out("a11"));
        // picocli's own parse errors: the message first, then the usage text
        CliRun missing = sample("--checkpoint", ckpt, "--count", "2");
        assertEquals(Main.USAGE, missing.code());
        assertTrue(missing.err().startsWith("Missing required option: '--out=DIR'"), missing.err());
        CliRun both = sample("--checkpoint", ckpt, "--run", run.toString(), "--count", "2", "--sampler", "euler",
                "--steps", "5", "--out", out("a13"));
        assertEquals(Main.USAGE, both.code());
        assertTrue(both.err().lines().findFirst().orElseThrow().contains("mutually exclusive"), both.err());
    }

    @Test
    void unusableOutputFoldersAreRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        String[] args = {"--run", run.toString(), "--count", "1", "--sampler", "euler", "--steps", "2", "--out"};
        refused(Main.FAILED, "exists and is not a folder", cat(args, file.toString()));
        refused(Main.FAILED, "cannot write to the output folder", cat(args, file.resolve("sub").toString()));
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("old.png"), "x");
        refused(Main.FAILED, "is not empty", cat(args, full.toString()));
    }

    private static String[] cat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String[] cat(String[] a, String[] b, String c) {
        return cat(cat(a, b), c);
    }
}
