package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.classify.ClassifierKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation end to end on small Fashion-MNIST cuts (the full-size run is dpdm evaluate itself). */
class EvaluationTest {
    @Test
    void evaluatesASyntheticSetAndWritesTheReport(@TempDir Path tmp) throws Exception {
        Path real = EvalFixtures.realSubset(tmp, 1000, 400);
        Path synthetic = EvalFixtures.syntheticSet(tmp, 1000, 1800, EvalFixtures.fashionMnist().classNames());
        Path cache = tmp.resolve("cache");
        EvaluationRequest request = new EvaluationRequest(synthetic, real.toString(), tmp.resolve("out"),
                List.of(ClassifierKind.LOGREG, ClassifierKind.MLP), 3, 3, Optional.empty(), cache, 0.1, 300, 1, List.of());
        Evaluation.Result r = Evaluation.run(request, Evaluation.Progress.NONE);

        assertEquals(List.of(ClassifierKind.LOGREG, ClassifierKind.MLP), List.copyOf(r.scores().keySet()));
        // 720 synthetic (900 real) training images, 3 epochs: far from the full-data figures, but well above chance (10%).
        assertTrue(r.scores().get(ClassifierKind.LOGREG).synthetic() > 0.25, r.scores().toString());
        assertTrue(r.scores().get(ClassifierKind.LOGREG).real() > 0.25, r.scores().toString());
        assertTrue(r.frechet().featureSpace().startsWith("dpdm CNN features"), r.frechet().featureSpace());
        assertFalse(r.frechet().featureSpace().contains("FID"));

        JsonNode json = new ObjectMapper().readTree(tmp.resolve("out/report.json").toFile());
        assertEquals(9.98, json.at("/privacy/epsilon").asDouble());
        assertEquals(10.0, json.at("/privacy/targetEpsilon").asDouble(), "target from the run's config.json");
        assertEquals(40, json.at("/privacy/phases/0/steps").asLong());
        assertEquals(83.0, json.at("/accuracies/1/paper").asDouble(), "DPDM's Fashion-MNIST eps=10 MLP figure");
        assertEquals(81.1, json.at("/accuracies/0/paper").asDouble());
        assertEquals(40, json.at("/curves/trainingLoss").size());
        assertEquals(40, json.at("/curves/epsilon").size());
        assertEquals(2, json.at("/perClass").size());
        assertEquals("pixels", json.at("/memorisation/0/space").asText());
        assertEquals(300, json.at("/memorisation/0/syntheticImages").asInt());
        assertTrue(json.at("/memorisation/1/space").asText().startsWith("dpdm CNN features"));
        String html = Files.readString(r.report());
        assertTrue(html.contains("3 epochs; the DPDM protocol uses 50"), "the departure is stated");
        assertTrue(html.contains("NOT covered"), "operator notice");
        assertTrue(html.contains("training loss"));

        // The real-data classifiers are now cached under the data set's fingerprint.
        RealBaselines baselines = new RealBaselines(cache, io.dpdm.data.Datasets.open(real,
                io.dpdm.data.LoadOptions.defaults()), 3, 1);
        RealBaselines.Baseline cached = baselines.get(ClassifierKind.LOGREG, io.dpdm.classify.ClassifierTrainer.Progress.NONE);
        cached.classifier().close();
        assertTrue(cached.fromCache());
        assertEquals(r.scores().get(ClassifierKind.LOGREG).real(), cached.testAccuracy().overall());
    }
}
