package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.dp.KeyMode;
import io.dpdm.model.CheckpointFile;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.model.Provenance;
import io.dpdm.nn.Torch;
import io.dpdm.sample.NoiseGrid;
import io.dpdm.sample.OutputFormat;
import io.dpdm.sample.SampleRequest;
import io.dpdm.sample.SampleService;
import io.dpdm.sample.SamplerSettings;
import io.dpdm.sample.SamplingProgress;
import io.dpdm.sample.Solver;
import io.dpdm.sample.WeightSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user may share (model.zip, grids, synthetic sets) holds no key material of the run's
 * DP randomness, no path and no private-data fingerprint; the operator's checkpoint does hold the
 * secret (so resume is exact) and is never among the released files.
 */
class ReleaseTest {
    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void data() {
        Torch.engine();
        data = TinyRuns.dataset(shared.resolve("tiny-idx"));
    }

    @Test
    void noReleasedFileHoldsTheRunSecretOrAPath(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainConfig base = TinyRuns.config(data, 8, 4);
        TrainConfig config = new TrainConfig(base.data(), base.privacy(), base.schedule(), base.objective(),
                base.optimisation(), base.network(), base.seed(), new TrainConfig.Intervals(1, 2, 2));
        try (Trainer t = Trainer.start(config, run, null)) {
            t.run(Trainer.Options.quiet());
        }
        sample(run, dir.resolve("synthetic"));
        byte[] key = TrainerTest.secret(run);
        String fingerprint;
        try (NDManager m = Torch.engine().newBaseManager()) {
            fingerprint = CheckpointFile.read(run.resolve(ModelCheckpoint.FILE_IN_RUN), m).meta()
                    .get("dataFingerprint").asText();
        }
        List<Path> released = new ArrayList<>(List.of(run.resolve(ModelCheckpoint.MODEL_IN_RUN)));
        try (var files = Files.walk(run.resolve("samples"))) {
            files.filter(Files::isRegularFile).forEach(released::add);
        }
        try (var files = Files.walk(dir.resolve("synthetic"))) {
            files.filter(Files::isRegularFile).forEach(released::add);
        }
        assertTrue(released.size() >= 6, "model, grids and the synthetic set: " + released);
        List<byte[]> secrets = keyForms(key);
        for (Path file : released) {
            for (byte[] content : contents(file)) {
                for (byte[] secret : secrets) {
                    assertFalse(contains(content, secret), file + " holds the run secret ("
                            + new String(secret, StandardCharsets.ISO_8859_1) + ")");
                }
                String text = new String(content, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(fingerprint), file + " holds the private data's fingerprint");
                assertFalse(text.contains(dir.toString()) || text.contains(data.toString()), file + " holds a path");
                assertFalse(text.contains("runSecret") || text.contains("dataFingerprint"), file + " names run state");
            }
        }
        // The operator's checkpoint does hold it: the scan above would have found it there.
        assertTrue(contents(run.resolve(ModelCheckpoint.FILE_IN_RUN)).stream()
                .anyMatch(c -> contains(c, HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII))));
        try (NDManager m = Torch.engine().newBaseManager()) {
            JsonNode meta = CheckpointFile.read(run.resolve(ModelCheckpoint.MODEL_IN_RUN), m).meta();
            assertEquals(List.of(ModelCheckpoint.MODEL), iterable(meta.fieldNames()));
            assertEquals(Provenance.SECRET_RUN_KEY, meta.at("/model/provenance/randomness").asText());
            assertEquals("tiny-idx", meta.at("/model/dataset").asText());
        }
    }

    /** Secure mode: train, stop, resume, sample; nothing keeps a key, and card and manifest say so. */
    @Test
    void secureModeEndToEnd(@TempDir Path dir) throws Exception {
        TrainConfig base = TinyRuns.config(data, 8, 4);
        TrainConfig config = new TrainConfig(base.data(), new TrainConfig.Privacy(8, 1e-3, "rdp", null, KeyMode.FRESH),
                base.schedule(), base.objective(), base.optimisation(), base.network(), base.seed(), base.intervals());
        Path run = dir.resolve("run");
        try (Trainer t = Trainer.start(config, run, null)) {
            assertFalse(t.run(new Trainer.Options(false, 2L)).finished());
        }
        try (Trainer t = Trainer.resume(run)) {
            assertTrue(t.run(Trainer.Options.quiet()).finished());
        }
        sample(run, dir.resolve("synthetic"));
        try (NDManager m = Torch.engine().newBaseManager()) {
            JsonNode checkpoint = CheckpointFile.read(run.resolve(ModelCheckpoint.FILE_IN_RUN), m).meta();
            assertTrue(checkpoint.get("runSecret").isNull(), "secure mode stores no key");
            ModelCheckpoint.Loaded model = ModelCheckpoint.read(run, m);
            assertEquals(Provenance.SECURE_FRESH_KEYS, model.card().provenance().randomness());
            assertTrue(model.card().privacy().isPrivate());
            assertEquals(4, model.card().privacy().ledger().totalSteps());
        }
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("synthetic/manifest.json").toFile());
        assertEquals(Provenance.SECURE_FRESH_KEYS, manifest.at("/model/provenance/randomness").asText());
        assertTrue(manifest.at("/privacy/epsilon").asDouble() <= 8);
    }

    /** A public seed voids the guarantee, and the card says so instead of printing an epsilon. */
    @Test
    void aPublicSeedCarriesNoGuarantee(@TempDir Path dir) {
        TrainConfig base = TinyRuns.config(data, 8, 2);
        TrainConfig config = new TrainConfig(base.data(), new TrainConfig.Privacy(8, 1e-3, "rdp", null,
                KeyMode.PUBLIC_SEED), base.schedule(), base.objective(), base.optimisation(), base.network(),
                base.seed(), base.intervals());
        try (Trainer t = Trainer.start(config, dir.resolve("run"), null)) {
            t.run(Trainer.Options.quiet());
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded model = ModelCheckpoint.read(dir.resolve("run"), m);
            assertFalse(model.card().privacy().isPrivate());
            assertTrue(model.card().privacy().note().startsWith("NO GUARANTEE"), model.card().privacy().note());
            assertEquals(Provenance.PUBLIC_SEED, model.card().provenance().randomness());
        }
    }

    private static void sample(Path run, Path out) {
        SampleService.run(new SampleRequest(run, 6, null, new SamplerSettings(NoiseGrid.edm(2), new Solver.Euler(), 0),
                0, 6, WeightSet.EMA, out, EnumSet.of(OutputFormat.IDX, OutputFormat.PNG)), SamplingProgress.NONE);
    }

    /** The key as raw bytes, hex (both cases), base64, and each 64-bit half in decimal and hex. */
    private static List<byte[]> keyForms(byte[] key) {
        List<String> text = new ArrayList<>(List.of(HexFormat.of().formatHex(key),
                HexFormat.of().withUpperCase().formatHex(key), Base64.getEncoder().encodeToString(key)));
        ByteBuffer halves = ByteBuffer.wrap(key);
        for (int i = 0; i < 2; i++) {
            long half = halves.getLong();
            text.add(Long.toString(half));
            text.add(Long.toHexString(half));
        }
        List<byte[]> forms = new ArrayList<>();
        forms.add(key);
        text.forEach(t -> forms.add(t.getBytes(StandardCharsets.US_ASCII)));
        return forms;
    }

    /** The file's bytes, plus every zip entry and gzip stream decompressed. */
    private static List<byte[]> contents(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<byte[]> out = new ArrayList<>(List.of(bytes));
        String name = file.getFileName().toString();
        if (name.endsWith(".zip")) {
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    out.add(zip.readAllBytes());
                }
            }
        } else if (name.endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                out.add(b.toByteArray());
            }
        }
        return out;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
