package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.LoadOptions;
import io.dpdm.data.Pixels;
import io.dpdm.model.ModelCard;
import io.dpdm.model.PrivacyGuarantee;
import io.dpdm.nn.CpuInfo;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Torch;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SamplerSettings EULER = new SamplerSettings(NoiseGrid.edm(3), new Solver.Euler(), 0);

    @TempDir static Path dir;
    private static Path model;
    private static ModelCard card;

    @BeforeAll
    static void writeModel() {
        Torch.engine();
        card = TestModels.conditional();
        // a loss in the checkpoint metadata must never reach the output
        model = TestModels.write(dir.resolve("model.zip"), card, Map.of("train_loss", 0.123, "metrics", Map.of("fid", 1)));
    }

    private static SampleService.Result sample(String out, int count, String classes, long seed, int batch,
            WeightSet weights) {
        return SampleService.run(new SampleRequest(model, count, classes, EULER, seed, batch, weights, dir.resolve(out),
                EnumSet.allOf(OutputFormat.class)), SamplingProgress.NONE);
    }

    /** The EMA network sampled directly with the sampler, without checkpoint or service. */
    private static float[] direct(long seed, int[] labels) {
        try (DenoiserNetwork net = TestModels.emaNetwork(card); NDManager m = Torch.engine().newBaseManager()) {
            return new Sampler(EULER, m).sample(net.denoiser(),
                    new SampleJob(SampleJob.seedRange(seed, labels.length), labels, 3, 1, 8, 8, 4), SamplingProgress.NONE);
        }
    }

    private static SampleService.Result set;

    /** The 7-image set with seed 100 that several tests inspect, sampled once. */
    private static synchronized SampleService.Result set() {
        if (set == null) {
            set = sample("set", 7, null, 100, 3, WeightSet.EMA);
        }
        return set;
    }

    @Test
    void idxAndPngHoldTheSampledImagesAndLabels() throws Exception {
        SampleService.Result r = set();
        int[] labels = {0, 0, 0, 1, 1, 2, 2};
        assertEquals(Map.of("a", 3, "b", 2, "c", 2), r.perClass());
        assertEquals(List.of("png/", "labels.csv", "idx/", "grid.png", "manifest.json"), r.files());
        float[] expected = direct(100, labels);

        ImageDataset back = Datasets.open(r.out().resolve("idx"), LoadOptions.defaults());
        assertEquals(List.of("a", "b", "c"), back.classNames());
        assertArrayEquals(labels, back.train().labels());
        assertEquals(0, back.test().size());
        for (int i = 0; i < labels.length; i++) {
            for (int p = 0; p < 64; p++) {
                float v = Pixels.toSigned(back.train().pixel(i, p));
                assertEquals(expected[i * 64 + p], v, 1.0 / 255 + 1e-6, "image " + i + " pixel " + p);
            }
        }
        // standard MNIST readers: magic 0x803 (ubyte, 3 dims), count, rows, cols; labels 0x801
        try (DataInputStream in = gz(r.out().resolve("idx/train-images-idx3-ubyte.gz"))) {
            assertArrayEquals(new int[] {0x803, 7, 8, 8}, new int[] {in.readInt(), in.readInt(), in.readInt(), in.readInt()});
        }
        try (DataInputStream in = gz(r.out().resolve("idx/train-labels-idx1-ubyte.gz"))) {
            assertArrayEquals(new int[] {0x801, 7}, new int[] {in.readInt(), in.readInt()});
            for (int label : labels) {
                assertEquals(label, in.readUnsignedByte());
            }
        }

        List<String> csv = Files.readAllLines(r.out().resolve("labels.csv"));
        assertEquals("file,label,class_name", csv.get(0));
        assertEquals(8, csv.size());
        for (int i = 0; i < labels.length; i++) {
            String file = String.format("png/%06d.png", i);
            assertEquals(file + "," + labels[i] + "," + List.of("a", "b", "c").get(labels[i]), csv.get(i + 1));
            BufferedImage png = ImageIO.read(r.out().resolve(file).toFile());
            assertEquals(8, png.getWidth());
            for (int p = 0; p < 64; p++) {
                assertEquals(back.train().pixel(i, p), png.getRaster().getSample(p % 8, p / 8, 0), "png " + i);
            }
        }
        BufferedImage grid = ImageIO.read(r.out().resolve("grid.png").toFile());
        assertTrue(grid.getHeight() >= 3 * 16, "one row per class");
    }

    @Test
    void sameSeedSameImagesWhateverTheBatchSize() throws Exception {
        sample("b7", 7, null, 5, 7, WeightSet.EMA);
        sample("b2", 7, null, 5, 2, WeightSet.EMA);
        sample("s6", 7, null, 6, 7, WeightSet.EMA);
        sample("raw", 7, null, 5, 7, WeightSet.RAW);
        // (the sampler at batch 3 is checked against an independent EMA network in the first test)
        byte[] b7 = images(dir.resolve("b7"));
        assertArrayEquals(b7, images(dir.resolve("b2")));
        assertFalse(java.util.Arrays.equals(b7, images(dir.resolve("s6"))), "another seed, other images");
        assertFalse(java.util.Arrays.equals(b7, images(dir.resolve("raw"))), "raw weights differ from EMA");
        // image i depends on seed + i alone: seed 6 image 0 = seed 5 image 1 when both are class a
        byte[] s6 = images(dir.resolve("s6"));
        int header = 16;
        assertArrayEquals(java.util.Arrays.copyOfRange(b7, header + 64, header + 128),
                java.util.Arrays.copyOfRange(s6, header, header + 64));
    }

    @Test
    void chosenClassesAndCounts() {
        assertEquals(Map.of("c", 2, "a", 1), sample("counts", 0, "c=2,a=1", 1, 4, WeightSet.EMA).perClass());
    }

    @Test
    void manifestCarriesTheGuaranteeAndSettingsButNoLoss() throws Exception {
        SampleService.Result r = set();
        String text = Files.readString(r.out().resolve("manifest.json"));
        JsonNode m = JSON.readTree(text);
        assertEquals(card.privacy(), JSON.treeToValue(m.get("privacy"), PrivacyGuarantee.class));
        JsonNode phases = m.at("/privacy/ledger/phases");
        assertEquals(2, phases.size(), "two (q, sigma) phases: " + phases);
        assertEquals(3, phases.get(0).get("steps").asLong() + phases.get(1).get("steps").asLong());
        assertEquals(JSON.valueToTree(card.network()), m.at("/model/network"));
        assertEquals("edm", m.at("/model/preconditioning/type").asText());
        assertEquals(List.of("a", "b", "c"), JSON.convertValue(m.at("/model/classNames"), List.class));
        // Only the public seed of the initial weights; no key or seed of the DP randomness, no path.
        assertEquals(7, m.at("/model/provenance/initialWeightsSeed").asLong());
        assertTrue(m.at("/model/provenance/seed").isMissingNode());
        assertEquals("secret-run-key", m.at("/model/provenance/randomness").asText());
        assertEquals("model.zip", m.at("/model/file").asText());
        assertFalse(text.contains(dir.toString()), "an absolute path in the manifest");
        assertEquals("ema", m.at("/model/weights").asText());
        assertEquals("euler", m.at("/sampler/solver/type").asText());
        assertEquals(3, m.at("/sampler/grid/steps").asInt());
        assertEquals("fp32", m.at("/sampler/precision").asText());
        assertEquals(80.0, m.at("/sampler/grid/sigmaMax").asDouble());
        assertEquals(100, m.at("/sampler/seed").asLong());
        assertEquals(0.0, m.at("/sampler/guidance").asDouble());
        assertEquals(Map.of("a", 3, "b", 2, "c", 2), JSON.convertValue(m.at("/images/per_class"), Map.class));
        assertTrue(m.get("post_processing").asText().contains("never opened"));
        for (String key : keys(m)) {
            String k = key.toLowerCase(java.util.Locale.ROOT);
            assertFalse(k.contains("loss") || k.contains("metric") || k.contains("fid"), "key " + key);
        }
        assertFalse(text.contains("0.123"), "training loss value leaked");
    }

    /** AUTO (the jobs' and `dpdm sample`'s default) is resolved by timing; the manifest names what ran. */
    @Test
    void autoPrecisionIsResolvedBeforeSamplingAndRecorded() throws Exception {
        SampleService.Result r = SampleService.run(new SampleRequest(model, 3, null, EULER, 0, 3, WeightSet.EMA,
                dir.resolve("auto"), EnumSet.of(OutputFormat.IDX), Precision.AUTO), SamplingProgress.NONE);
        String ran = JSON.readTree(r.out().resolve("manifest.json").toFile()).at("/sampler/precision").asText();
        if (CpuInfo.read().bfloat16()) {
            assertTrue(ran.equals("fp32") || ran.equals("bf16"), ran);
            assertTrue(r.precision().startsWith(ran + " (auto: bf16 "), r.precision());
        } else {
            assertEquals("fp32", ran);
            assertEquals("fp32 (auto: this CPU has no bfloat16 arithmetic)", r.precision());
        }
    }

    @Test
    void unconditionalModelSamplesWithoutLabels() throws Exception {
        Path uncond = TestModels.write(dir.resolve("uncond.zip"), TestModels.unconditional(), Map.of());
        SampleService.Result r = SampleService.run(new SampleRequest(uncond, 3, null,
                new SamplerSettings(NoiseGrid.edm(2), new Solver.Heun(), 0), 0, 2, WeightSet.EMA, dir.resolve("u"),
                EnumSet.of(OutputFormat.IDX)), SamplingProgress.NONE);
        assertEquals(Map.of("unconditional", 3), r.perClass());
        ImageDataset back = Datasets.open(r.out().resolve("idx"), LoadOptions.defaults());
        assertEquals(List.of("unconditional"), back.classNames());
        assertEquals(3, back.train().size());
        assertFalse(Files.exists(r.out().resolve("png")));
        assertEquals(3, JSON.readTree(r.out().resolve("manifest.json").toFile()).at("/sampler/evaluations_per_image").asInt());
    }

    private static byte[] images(Path out) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(out.resolve("idx/train-images-idx3-ubyte.gz")))) {
            return in.readAllBytes();
        }
    }

    private static DataInputStream gz(Path file) throws Exception {
        return new DataInputStream(new GZIPInputStream(Files.newInputStream(file)));
    }

    private static List<String> keys(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(e.getKey());
                out.addAll(keys(e.getValue()));
            }
        } else if (node.isArray()) {
            node.forEach(n -> out.addAll(keys(n)));
        }
        return out;
    }
}
