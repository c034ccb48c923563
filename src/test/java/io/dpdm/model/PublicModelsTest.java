package io.dpdm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import io.dpdm.data.EmbeddedDatasets;
import io.dpdm.data.RenderedDigits;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.nn.Torch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicModelsTest {
    private static final UNetConfig NET = new UNetConfig(28, 1, 16, List.of(1, 2), 1, List.of(7), 0, 10, 2);
    /** Public sets rendered without any record: digits from fonts, garments from icon drawings (PROVENANCE). */
    private static final Set<String> RENDERED = Set.of(RenderedDigits.NAME, "garment-icons");

    /** An index of two models (of "a" and of "b", the latter preferred for "c") over files with the given contents. */
    private static Path index(Path dir, String bytesOfA) throws Exception {
        Files.createDirectories(dir.resolve("pretrained"));
        Files.writeString(dir.resolve("pretrained/a.zip"), bytesOfA);
        Files.writeString(dir.resolve("pretrained/b.zip"), "b");
        String net = "{\"imageSize\": 28, \"channels\": 1, \"baseChannels\": 16, \"channelMultipliers\": [1, 2],"
                + " \"resBlocks\": 1, \"attentionResolutions\": [7], \"dropout\": 0.0, \"numClasses\": 10,"
                + " \"patchSize\": 2}";
        String sha = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"; // sha256("a")
        Files.writeString(dir.resolve(PublicModels.INDEX), "{\"models\": {"
                + "\"model-of-a\": {\"file\": \"pretrained/a.zip\", \"sha256\": \"" + sha + "\", \"dataset\": \"a\","
                + " \"network\": " + net + "},"
                + "\"model-of-b\": {\"file\": \"pretrained/b.zip\", \"sha256\": \"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d\","
                + " \"dataset\": \"b\", \"network\": " + net + ", \"preferredFor\": [\"c\"]}}}");
        return dir;
    }

    @Test
    void neverOffersTheModelOfThePrivateDataSet(@TempDir Path dir) throws Exception {
        PublicModels models = new PublicModels(index(dir, "a"));
        assertEquals(Optional.of("model-of-b"), models.forNetwork(NET, "a"));
        assertEquals(Optional.of("model-of-a"), models.forNetwork(NET, "b"));
        assertEquals(Optional.of("model-of-a"), models.forNetwork(NET, "someone's x-rays"), "the first listed");
        assertEquals(Optional.of("model-of-b"), models.forNetwork(NET, "c"), "the one preferred for c");
        UNetConfig other = new UNetConfig(28, 1, 32, List.of(1, 2), 1, List.of(7), 0, 10, 2);
        assertEquals(Optional.empty(), models.forNetwork(other, "a"), "no model of another network");
    }

    @Test
    void aPreferenceThatIsNotAListIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path index = index(dir, "a").resolve(PublicModels.INDEX);
        Files.writeString(index, Files.readString(index).replace("[\"c\"]", "\"c\""));
        DpdmException e = assertThrows(DpdmException.class, () -> new PublicModels(dir));
        assertTrue(e.getMessage().contains("model 'model-of-b': preferredFor must be a list"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aReplacedFileIsRefusedByItsChecksum(@TempDir Path dir) throws Exception {
        PublicModels models = new PublicModels(index(dir, "not a"));
        DpdmException e = assertThrows(DpdmException.class, () -> models.file("model-of-a"));
        assertTrue(e.getMessage().contains("a.zip: sha256 mismatch"), e.getMessage());
        assertEquals(dir.resolve("pretrained/b.zip"), models.file("model-of-b"));
        DpdmException unknown = assertThrows(DpdmException.class, () -> models.file("nope"));
        assertTrue(unknown.getMessage().contains("no shipped model 'nope'"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains("\n"));
    }

    /**
     * The index shipped in data/: every model it lists (names read from the JSON directly) is
     * intact, non-private, of public data (embedded, or rendered from fonts or icon drawings) and of
     * the network it claims, and the model offered for each embedded set was trained on another one.
     */
    @Test
    void theShippedModelsAreWhatTheirIndexSays() throws Exception {
        Path data = Path.of(System.getProperty("dpdm.home"), "data");
        PublicModels models = new PublicModels(data);
        EmbeddedDatasets embedded = EmbeddedDatasets.installed();
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(data.resolve(PublicModels.INDEX).toFile()).path("models").fieldNames()
                .forEachRemaining(names::add);
        assertTrue(names.size() >= 3, names.toString());
        try (NDManager m = Torch.engine().newBaseManager()) {
            for (String name : names) {
                ModelCard card = ModelCheckpoint.read(models.file(name), m).card();
                assertEquals(NET, card.network(), name);
                assertFalse(card.privacy().isPrivate(), name + ": a public model is trained without DP on public data");
                assertTrue(embedded.contains(card.dataset()) || RENDERED.contains(card.dataset()),
                        name + ": trained on an embedded public data set or on a rendered one");
            }
            for (String own : List.of("mnist", "fashion-mnist")) {
                String offered = models.forNetwork(NET, own).orElseThrow();
                assertFalse(ModelCheckpoint.read(models.file(offered), m).card().dataset().equals(own),
                        "never offered for its own data set");
            }
        }
    }
}
