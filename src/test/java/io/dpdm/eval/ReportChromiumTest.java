package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders report.html in headless Chromium (Debian's {@code chromium}) and checks that every
 * image decodes. The report has no scripts (by design), so a test-only wrapper page in the same
 * folder loads it in an iframe and, once loaded, writes each image's naturalWidth into its own
 * DOM, which {@code --dump-dom} prints. A broken image has naturalWidth 0; the negative control
 * corrupts one image to prove the check notices. Skipped only when Chromium is missing outside
 * CI; with CI=true a missing Chromium fails.
 */
class ReportChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Pattern RESULT = Pattern.compile("<pre id=\"result\">([^<]*)</pre>");

    @Test
    void everyImageOfTheReportLoads(@TempDir Path dir) throws Exception {
        requireChromium();
        Path html = ReportWriter.write(ReportWriterTest.sample(), dir);
        int expected = count(Files.readString(html), "<img ");
        assertTrue(expected >= 5, "the sample report should hold the grid, charts and pairs, found " + expected);
        List<Integer> widths = naturalWidths(dir, html);
        assertEquals(expected, widths.size(), "images seen by Chromium: " + widths);
        for (int i = 0; i < widths.size(); i++) {
            assertTrue(widths.get(i) > 0, "image " + i + " did not load: " + widths);
        }
    }

    @Test
    void aBrokenImageIsDetected(@TempDir Path dir) throws Exception {
        requireChromium();
        Path html = ReportWriter.write(ReportWriterTest.sample(), dir);
        String page = Files.readString(html);
        int at = page.indexOf("data:image/png;base64,") + "data:image/png;base64,".length();
        Files.writeString(html, page.substring(0, at) + "AAAA" + page.substring(at + 40));
        List<Integer> widths = naturalWidths(dir, html);
        assertEquals(0, widths.get(0), "the corrupted first image must not load: " + widths);
        assertTrue(widths.stream().skip(1).allMatch(w -> w > 0), "the others still load: " + widths);
    }

    private static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(CHROMIUM + " is missing in CI (.ci/run installs Debian's chromium)");
            }
            Assumptions.abort(CHROMIUM + " is not installed (apt-get install chromium)");
        }
    }

    /** naturalWidth of every image of the report, in document order, as seen by Chromium. */
    private static List<Integer> naturalWidths(Path dir, Path report) throws IOException, InterruptedException {
        Path wrapper = dir.resolve("check.html");
        Files.writeString(wrapper, """
                <!DOCTYPE html><html><body>
                <iframe id="r" src="%s"></iframe>
                <pre id="result">pending</pre>
                <script>
                window.addEventListener('load', function () {
                  var imgs = document.getElementById('r').contentDocument.images;
                  var w = [];
                  for (var i = 0; i < imgs.length; i++) { w.push(imgs[i].complete ? imgs[i].naturalWidth : -1); }
                  document.getElementById('result').textContent = 'widths:' + w.join(',');
                });
                </script></body></html>
                """.formatted(report.getFileName()), StandardCharsets.UTF_8);
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--allow-file-access-from-files", "--virtual-time-budget=5000",
                "--user-data-dir=" + profile, "--dump-dom", wrapper.toUri().toString())
                .redirectError(dir.resolve("chromium.log").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish");
        }
        String dom = new String(out, StandardCharsets.UTF_8);
        Matcher m = RESULT.matcher(dom);
        if (!m.find() || !m.group(1).startsWith("widths:")) {
            fail("no result from chromium (exit " + p.exitValue() + "): " + dom.substring(0, Math.min(500, dom.length()))
                    + "\n" + Files.readString(dir.resolve("chromium.log")).lines().limit(5).toList());
        }
        List<Integer> widths = new ArrayList<>();
        for (String w : m.group(1).substring("widths:".length()).split(",")) {
            if (!w.isEmpty()) {
                widths.add(Integer.parseInt(w));
            }
        }
        return widths;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
