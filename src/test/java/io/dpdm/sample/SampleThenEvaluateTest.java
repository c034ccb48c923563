package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.classify.ClassifierKind;
import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.eval.Evaluation;
import io.dpdm.eval.EvaluationRequest;
import io.dpdm.eval.TorchScriptFeaturesTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dpdm sample's output, as written by {@link SampleService} from a checkpoint in a run folder, is
 * what {@link Evaluation} reads: the guarantee comes from the manifest, the curves from the run
 * the manifest points to. Tiny 8x8 model with random weights; the features come from a
 * TorchScript module (the default CNN needs 18x18 images or more).
 */
class SampleThenEvaluateTest {
    @Test
    void evaluatesWhatSampleWrites(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        TestModels.write(run.resolve("model.zip"), TestModels.conditional(), Map.of());
        Files.writeString(run.resolve("config.json"), "{\"privacy\": {\"epsilon\": 10}}");
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\": 1, \"loss\": 0.9, \"epsilon\": 5.0}\n"
                + "{\"step\": 2, \"loss\": 0.8, \"epsilon\": 9.87}\n");
        SampleService.run(new SampleRequest(run, 60, null, new SamplerSettings(NoiseGrid.edm(3), new Solver.Euler(), 0),
                1, 30, WeightSet.EMA, run.resolve("synthetic"), EnumSet.of(OutputFormat.IDX)), SamplingProgress.NONE);

        ImageShape shape = new ImageShape(1, 8, 8);
        SplittableRandom rnd = new SplittableRandom(1);
        Path real = tmp.resolve("real");
        IdxWriter.writeDataset(real, new ImageDataset("real", shape, List.of("a", "b", "c"),
                split(shape, 90, rnd), split(shape, 30, rnd)));
        Path extractor = TorchScriptFeaturesTest.channelMeanModule(tmp);
        Evaluation.Result r = Evaluation.run(new EvaluationRequest(run, real.toString(), tmp.resolve("report"),
                List.of(ClassifierKind.LOGREG), 1, 1, Optional.of(extractor), tmp.resolve("cache"), 0.2, 100, 0,
                List.of()), Evaluation.Progress.NONE);

        assertEquals("FID features of TorchScript net.pt", r.frechet().featureSpace());
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("report/report.json").toFile());
        assertEquals(9.87, json.at("/privacy/epsilon").asDouble(), "the card's guarantee, via the manifest");
        assertEquals(10.0, json.at("/privacy/targetEpsilon").asDouble());
        assertEquals(2, json.at("/privacy/phases").size(), "two (q, sigma) phases: 2 steps, then 1");
        assertEquals(2, json.at("/privacy/phases/0/steps").asLong());
        assertEquals(60, json.at("/headline/syntheticImages").asLong());
        assertEquals(2, json.at("/curves/epsilon").size());
        assertTrue(Files.isRegularFile(r.report()));
    }

    private static ImageSplit split(ImageShape shape, int n, SplittableRandom rnd) {
        byte[] pixels = new byte[n * shape.size()];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < shape.size(); p++) {
                pixels[i * shape.size() + p] = (byte) Math.min(255, rnd.nextInt(100) + 70 * labels[i]);
            }
        }
        return new ImageSplit(shape, pixels, labels);
    }
}
