package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    private static final String HOSTILE = "<script>alert('x')</script> & \"q\"";

    private static RowMatrix images(Random rnd, int n) {
        float[] v = new float[n * 64];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return new RowMatrix(v, n, 64);
    }

    static ReportData sample() {
        Random rnd = new Random(9);
        RowMatrix train = images(rnd, 300);
        RowMatrix test = images(rnd, 100);
        RowMatrix synthetic = images(rnd, 120);
        MemorisationAudit audit = MemorisationAudit.run("pixels", train, synthetic, test, 6);
        List<float[]> grid = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            grid.add(synthetic.row(i));
        }
        List<ReportData.Point> loss = new ArrayList<>();
        List<ReportData.Point> eps = new ArrayList<>();
        for (int step = 1; step <= 50; step++) {
            loss.add(new ReportData.Point(step, 1.0 / step));
            eps.add(new ReportData.Point(step, 0.19 * Math.sqrt(step)));
        }
        List<String> classes = List.of("T-shirt/top", "Trouser", "<Bag>");
        return new ReportData(
                new ReportData.Headline(HOSTILE, "fashion-mnist", 120, "2026-11-22T21:00:00Z"),
                List.of(new ReportData.Accuracy("LogReg", 70.5, 84.1), new ReportData.Accuracy("MLP", 72.0, null),
                        new ReportData.Accuracy("CNN", 80.25, 91.0)),
                List.of(new ReportData.PerClass("CNN", classes, new double[] {80, 95.5, 60})),
                new ReportData.Privacy(10, 9.97, 1e-5, "RDP",
                        List.of(new ReportData.LedgerPhase("phase 1: central images of 1x14x14", 5, 0.1, 5),
                                new ReportData.LedgerPhase("phase 2: dp-sgd", 4500, 1.0 / 15, 2.488))),
                List.of(new ReportData.Frechet("dpdm classifier features (128)", 12.5, "real training set")),
                new ReportData.Curves(loss, eps),
                List.of(audit),
                new ReportData.Images(PngGrid.render(grid, 1, 8, 8, 10, 2),
                        ReportImages.closestPairs(audit, synthetic, train, 1, 8, 8), PngGrid.render(grid, 1, 8, 8, 10, 2)));
    }

    @Test
    void writesSelfContainedHtmlWithDecodablePngsAndEscapedText(@TempDir Path dir) throws Exception {
        Path htmlFile = ReportWriter.write(sample(), dir);
        String html = Files.readString(htmlFile);

        Matcher img = Pattern.compile("<img\\b[^>]*>").matcher(html);
        Pattern src = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        int images = 0;
        while (img.find()) {
            Matcher m = src.matcher(img.group());
            assertTrue(m.find(), "img without a PNG data: URI: " + img.group().substring(0, 60));
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            assertNotNull(decoded, "src does not decode to an image");
            images++;
        }
        // released central images, sample grid, loss curve, epsilon curve, histogram, closest pairs
        assertEquals(6, images);
        String lower = html.toLowerCase();
        assertFalse(lower.contains("<script"), "no scripts, and caller text is escaped");
        assertFalse(lower.contains("http:") || lower.contains("https:") || lower.contains("url("),
                "no external references");
        assertEquals(html.split("src=", -1).length - 1, images, "every src is an embedded image");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
        assertTrue(html.contains("&lt;Bag&gt;"));
        // The loss notice sits right before the loss chart.
        int notice = html.indexOf(ReportWriter.LOSS_NOTICE);
        assertTrue(notice > 0 && html.indexOf("<img alt=\"training loss\"") > notice);
        assertTrue(html.contains(ReportWriter.OPERATOR_NOTICE));
        // every phase of the guarantee, named by what it released, and the released central images
        assertTrue(html.contains("<td>phase 1: central images of 1x14x14</td><td>5</td>"), "release phase row");
        assertTrue(html.contains("<td>phase 2: dp-sgd</td><td>4500</td>"), "dp-sgd phase row");
        assertTrue(html.indexOf("<img alt=\"central images released for the warm start\"") > html.indexOf("phase 2: dp-sgd"));
        assertTrue(html.contains("<td>CNN</td><td>80.3%</td><td>91.0%</td><td>86.2%</td>"), "CNN row with paper figure");
        assertTrue(html.contains("Frechet distance in dpdm classifier features (128)"));
    }

    @Test
    void writesJsonWithTheExpectedKeys(@TempDir Path dir) throws Exception {
        ReportWriter.write(sample(), dir);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        Set<String> keys = new TreeSet<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(new TreeSet<>(List.of("format", "notice", "headline", "privacy", "accuracies", "references",
                "perClass", "frechet", "curves", "memorisation")), keys);
        assertEquals(HOSTILE, json.at("/headline/title").asText());
        assertEquals(9.97, json.at("/privacy/epsilon").asDouble(), 0);
        assertEquals(5.0, json.at("/privacy/phases/0/noiseMultiplier").asDouble(), 0);
        assertEquals(2.488, json.at("/privacy/phases/1/noiseMultiplier").asDouble(), 0);
        assertEquals("phase 1: central images of 1x14x14", json.at("/privacy/phases/0/name").asText());
        assertEquals(86.2, json.at("/accuracies/2/paper").asDouble(), 0);
        assertEquals(83.0, json.at("/accuracies/1/paper").asDouble(), 0);
        assertEquals(81.1, json.at("/accuracies/0/paper").asDouble(), 0);
        assertTrue(json.at("/accuracies/1/realTrained").isNull());
        assertEquals(50, json.at("/curves/trainingLoss").size());
        assertEquals(6, json.at("/memorisation/0/closestPairs").size());
        assertEquals(120, json.at("/memorisation/0/syntheticImages").asInt());
        assertTrue(json.at("/memorisation/0/threshold").asDouble() > 0);
        // DPDM (two samplers), four baselines, DP-SGD classifiers: 7 published rows for FMNIST eps 10.
        assertEquals(7, json.at("/references").size());
        assertFalse(Files.exists(dir.resolve("report.json.tmp")));
    }

    @Test
    void gridMapsMinusOneToBlackAndOneToWhite() throws Exception {
        byte[] png = PngGrid.render(List.of(new float[] {-1, 1, 0, 0.5f}), 1, 2, 2, 1, 1);
        BufferedImage im = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(2 + 2 + 2, im.getWidth());
        assertEquals(0x000000, im.getRGB(2, 2) & 0xffffff);
        assertEquals(0xffffff, im.getRGB(3, 2) & 0xffffff);
        assertEquals(128, im.getRGB(2, 3) & 0xff);
        assertEquals(191, im.getRGB(3, 3) & 0xff);
        assertEquals(0x808080, im.getRGB(0, 0) & 0xffffff);

        // Pairs: a wider gap after every second column; image 2 starts after 2 cells and the gap.
        float[] white = {1, 1, 1, 1};
        float[] black = {-1, -1, -1, -1};
        BufferedImage pairs = ImageIO.read(new ByteArrayInputStream(
                PngGrid.render(List.of(black, black, white, black), 1, 2, 2, 4, 1, 2)));
        assertEquals(2 + 4 * (2 + 2) + 8, pairs.getWidth());
        assertEquals(0xffffff, pairs.getRGB(2 + 2 * 4 + 8, 2) & 0xffffff);
        assertEquals(0x808080, pairs.getRGB(2 + 2 * 4 + 7, 2) & 0xffffff);
    }

    @Test
    void publishedFiguresMatchThePaper() {
        PublishedResults.Reference f = PublishedResults.dpdm("Fashion-MNIST", 10).orElseThrow();
        assertEquals(86.2, f.cnn(), 0);
        assertEquals(83.0, f.mlp(), 0);
        assertEquals(81.1, f.logReg(), 0);
        assertEquals(19.1, f.fid(), 0);
        PublishedResults.Reference m = PublishedResults.dpdm("mnist", 0.2).orElseThrow();
        assertEquals(86.3, m.cnn(), 0);
        assertEquals(95.3, PublishedResults.dpdm("mnist", 1).orElseThrow().cnn(), 0);
        assertTrue(PublishedResults.lookup("cifar10", 10).isEmpty());
        assertTrue(PublishedResults.dpdm("mnist", 5).isEmpty());
        // a set calibrated for 10 stops just under it; one above 10, or well below, has no row
        assertEquals(86.2, PublishedResults.dpdm("fashion-mnist", 9.996).orElseThrow().cnn(), 0);
        assertTrue(PublishedResults.dpdm("fashion-mnist", 10.001).isEmpty());
        assertTrue(PublishedResults.dpdm("fashion-mnist", 9.8).isEmpty());
    }

    @Test
    void invalidInputsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ReportData.Accuracy("CNN", 101, null))
                .getMessage().contains("CNN.syntheticTrained"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new ReportData.PerClass("MLP", List.of("a", "b"), new double[] {1}))
                .getMessage().contains("expected 2 accuracies"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new ReportData.Images(new byte[] {1, 2, 3}, null, null)).getMessage().contains("images.sampleGrid"));
    }
}
