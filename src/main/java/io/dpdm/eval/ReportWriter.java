package io.dpdm.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Writes the evaluation report: {@code report.json} (machine-readable figures) and
 * {@code report.html} (one self-contained file: inline CSS, images as base64 PNG data: URIs, no
 * scripts, no external references). All caller text is HTML-escaped. Each file is written to a
 * temporary name and moved into place, so an interrupted run never leaves a half-written report.
 */
public final class ReportWriter {
    /** Shown at the top of the report and next to every figure computed on private data. */
    public static final String OPERATOR_NOTICE = "Operator report. Some figures here are computed directly on the"
            + " private training data: the training loss, the memorisation distances and the training images shown"
            + " next to their closest synthetic images, and the real-data accuracy ceiling. They are NOT covered by"
            + " the differential-privacy guarantee (only the model and the synthetic images are); they stay in the"
            + " run directory for the operator. Do not publish this report.";
    static final String LOSS_NOTICE = "The training loss is computed on the private training data and is NOT covered"
            + " by the (epsilon, delta) guarantee; it is for the operator only.";
    static final String FORMAT = "dpdm-report/1";
    static final String NO_GUARANTEE = "none: the synthetic images carry no differential-privacy guarantee";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> PROTOCOL_CLASSIFIERS = List.of("LogReg", "MLP", "CNN");

    private ReportWriter() {}

    /** Writes report.json and report.html into {@code dir} (created if needed); returns the HTML path. */
    public static Path write(ReportData data, Path dir) {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve("report.json"), JSON.writeValueAsBytes(json(data)));
            Path html = dir.resolve("report.html");
            writeAtomically(html, html(data).getBytes(StandardCharsets.UTF_8));
            return html;
        } catch (IOException e) {
            throw new DpdmException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The DPDM paper's figure for this classifier, data set and epsilon, if published. */
    static Optional<Double> paperAccuracy(ReportData data, String classifier) {
        if (data.privacy() == null) {
            return Optional.empty();
        }
        return PublishedResults.dpdm(data.headline().dataset(), data.privacy().targetEpsilon()).flatMap(r ->
                switch (classifier.toLowerCase(Locale.ROOT)) {
                    case "logreg" -> Optional.of(r.logReg());
                    case "mlp" -> Optional.of(r.mlp());
                    case "cnn" -> Optional.of(r.cnn());
                    default -> Optional.empty();
                });
    }

    // ---------------------------------------------------------------- JSON

    static ObjectNode json(ReportData data) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("notice", OPERATOR_NOTICE);
        root.set("headline", JSON.valueToTree(data.headline()));
        root.set("privacy", JSON.valueToTree(data.privacy()));
        ArrayNode accuracies = root.putArray("accuracies");
        for (ReportData.Accuracy a : data.accuracies()) {
            ObjectNode row = JSON.valueToTree(a);
            row.set("paper", JSON.valueToTree(paperAccuracy(data, a.classifier()).orElse(null)));
            accuracies.add(row);
        }
        root.set("references", JSON.valueToTree(data.privacy() == null ? List.of()
                : PublishedResults.lookup(data.headline().dataset(), data.privacy().targetEpsilon())));
        root.set("perClass", JSON.valueToTree(data.perClass()));
        root.set("frechet", JSON.valueToTree(data.frechet()));
        root.set("curves", JSON.valueToTree(data.curves()));
        ArrayNode audits = root.putArray("memorisation");
        for (MemorisationAudit m : data.memorisation()) {
            ObjectNode a = audits.addObject();
            a.put("space", m.space());
            a.put("referencePercentile", MemorisationAudit.REFERENCE_PERCENTILE);
            a.put("threshold", m.threshold());
            a.put("fractionBelowThreshold", m.fractionBelowThreshold());
            a.put("exactCopies", m.exactCopies());
            a.put("flagged", m.flagged().length);
            a.put("syntheticImages", m.syntheticToTrain().length);
            a.put("testImages", m.testToTrain().length);
            a.set("syntheticToTrain", quantiles(m.syntheticToTrain()));
            a.set("testToTrain", quantiles(m.testToTrain()));
            a.set("closestPairs", JSON.valueToTree(m.closestPairs()));
        }
        return root;
    }

    private static ObjectNode quantiles(double[] values) {
        ObjectNode q = JSON.createObjectNode();
        q.put("min", MemorisationAudit.percentile(values, 0));
        q.put("p1", MemorisationAudit.percentile(values, 1));
        q.put("median", MemorisationAudit.percentile(values, 50));
        return q;
    }

    // ---------------------------------------------------------------- HTML

    static String html(ReportData data) {
        ReportData.Headline h = data.headline();
        ReportData.Privacy p = data.privacy();
        StringBuilder s = new StringBuilder(1 << 16);
        s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(h.title())).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        s.append("<h1>").append(esc(h.title())).append("</h1>\n");
        s.append("<p class=\"meta\">Data set <b>").append(esc(h.dataset())).append("</b> &middot; ")
                .append(h.syntheticImages()).append(" synthetic images &middot; generated ")
                .append(esc(h.generatedAt())).append("</p>\n");
        s.append("<p class=\"notice\">").append(esc(OPERATOR_NOTICE)).append("</p>\n");
        for (String note : h.notes()) {
            s.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
        }

        section(s, "headline", "Headline figures");
        s.append("<table>\n");
        row(s, "Privacy guarantee", p == null ? NO_GUARANTEE : "(&epsilon; = " + num(p.epsilon()) + ", &delta; = "
                + num(p.delta()) + ") &middot; " + esc(p.accountant()) + " accountant &middot; target &epsilon; "
                + num(p.targetEpsilon()));
        for (ReportData.Accuracy a : data.accuracies()) {
            row(s, esc(a.classifier()) + " accuracy, trained on synthetic data", pct(a.syntheticTrained())
                    + paperAccuracy(data, a.classifier()).map(v -> " (DPDM paper: " + pct(v) + ")").orElse(""));
        }
        for (ReportData.Frechet f : data.frechet()) {
            row(s, "Frechet distance in " + esc(f.featureSpace()) + " to " + esc(f.reference()), num(f.distance()));
        }
        for (MemorisationAudit m : data.memorisation()) {
            row(s, "Synthetic images closer to a training image than 99% of real test images (" + esc(m.space()) + ")",
                    pct(100 * m.fractionBelowThreshold()) + " &middot; exact copies: " + m.exactCopies());
        }
        s.append("</table>\n");

        if (data.images().sampleGrid() != null) {
            section(s, "samples", "Synthetic samples");
            img(s, data.images().sampleGrid(), "grid of synthetic samples");
        }

        accuracySection(s, data);
        perClassSection(s, data);
        privacySection(s, p, data.images().warmStartRelease());
        curvesSection(s, data.curves());
        memorisationSection(s, data);
        s.append("</body>\n</html>\n");
        return s.toString();
    }

    private static void accuracySection(StringBuilder s, ReportData data) {
        section(s, "accuracy", "Downstream accuracy (train on synthetic, test on the real test set)");
        s.append("<table>\n<tr><th>classifier</th><th>synthetic-trained</th><th>real-data ceiling</th>"
                + "<th>DPDM paper, same target &epsilon;</th></tr>\n");
        for (ReportData.Accuracy a : data.accuracies()) {
            s.append("<tr><td>").append(esc(a.classifier())).append("</td><td>").append(pct(a.syntheticTrained()))
                    .append("</td><td>").append(a.realTrained() == null ? "&ndash;" : pct(a.realTrained()))
                    .append("</td><td>").append(paperAccuracy(data, a.classifier()).map(ReportWriter::pct)
                            .orElse("&ndash;")).append("</td></tr>\n");
        }
        s.append("</table>\n");
        if (data.privacy() == null) {
            s.append("<p>No published figures shown: the synthetic images carry no privacy guarantee.</p>\n");
            return;
        }
        List<PublishedResults.Reference> refs =
                PublishedResults.lookup(data.headline().dataset(), data.privacy().targetEpsilon());
        if (refs.isEmpty()) {
            s.append("<p>No published figures for ").append(esc(data.headline().dataset())).append(" at &epsilon; = ")
                    .append(num(data.privacy().targetEpsilon())).append(".</p>\n");
            return;
        }
        s.append("<h3>Published figures, ").append(esc(data.headline().dataset())).append(", &epsilon; = ")
                .append(num(refs.get(0).epsilon())).append("</h3>\n<table>\n<tr><th>method</th>");
        for (String c : PROTOCOL_CLASSIFIERS) {
            s.append("<th>").append(c).append("</th>");
        }
        s.append("<th>FID (InceptionV3)</th></tr>\n");
        for (PublishedResults.Reference r : refs) {
            s.append("<tr><td>").append(esc(r.method())).append("</td><td>").append(pct(r.logReg()))
                    .append("</td><td>").append(pct(r.mlp())).append("</td><td>").append(pct(r.cnn()))
                    .append("</td><td>").append(r.fid() == null ? "&ndash;" : num(r.fid())).append("</td></tr>\n");
        }
        s.append("</table>\n<p class=\"small\">Source: Dockhorn et al., Differentially Private Diffusion Models,"
                + " TMLR 2023. Their FID uses InceptionV3 features and is not comparable with Frechet distances"
                + " computed in other feature spaces.</p>\n");
    }

    private static void perClassSection(StringBuilder s, ReportData data) {
        if (data.perClass().isEmpty()) {
            return;
        }
        section(s, "per-class", "Per-class accuracy (synthetic-trained, real test set)");
        for (ReportData.PerClass pc : data.perClass()) {
            s.append("<h3>").append(esc(pc.classifier())).append("</h3>\n<table>\n<tr><th>class</th>");
            for (String name : pc.classNames()) {
                s.append("<th>").append(esc(name)).append("</th>");
            }
            s.append("</tr>\n<tr><td>accuracy</td>");
            for (double a : pc.accuracy()) {
                s.append("<td>").append(pct(a)).append("</td>");
            }
            s.append("</tr>\n</table>\n");
        }
    }

    private static void privacySection(StringBuilder s, ReportData.Privacy p, byte[] warmStartRelease) {
        section(s, "privacy", "Privacy guarantee");
        if (p == null) {
            s.append("<p>").append(NO_GUARANTEE).append("</p>\n");
            return;
        }
        s.append("<p>The model, and every image sampled from it, satisfies (&epsilon; = ").append(num(p.epsilon()))
                .append(", &delta; = ").append(num(p.delta())).append(")-differential privacy with respect to the"
                        + " training set, as computed by the ").append(esc(p.accountant()))
                .append(" accountant over these phases:</p>\n<table>\n<tr><th>phase</th><th>steps</th>"
                        + "<th>sample rate q</th><th>noise multiplier</th></tr>\n");
        for (ReportData.LedgerPhase ph : p.phases()) {
            s.append("<tr><td>").append(esc(ph.name())).append("</td><td>").append(ph.steps()).append("</td><td>")
                    .append(num(ph.sampleRate())).append("</td><td>").append(num(ph.noiseMultiplier()))
                    .append("</td></tr>\n");
        }
        s.append("</table>\n");
        if (warmStartRelease != null) {
            s.append("<p>What the central-images phase released (one row per class, one column per round); the"
                    + " warm start trained on these alone:</p>\n");
            img(s, warmStartRelease, "central images released for the warm start");
        }
    }

    private static void curvesSection(StringBuilder s, ReportData.Curves c) {
        if (c.trainingLoss().isEmpty() && c.epsilon().isEmpty()) {
            return;
        }
        section(s, "curves", "Training");
        if (!c.trainingLoss().isEmpty()) {
            s.append("<p class=\"notice\">").append(esc(LOSS_NOTICE)).append("</p>\n");
            img(s, Charts.curve("Training loss (private data, not DP)", "loss", c.trainingLoss()), "training loss");
        }
        if (!c.epsilon().isEmpty()) {
            img(s, Charts.curve("Privacy spent", "epsilon", c.epsilon()), "epsilon spent per step");
        }
    }

    private static void memorisationSection(StringBuilder s, ReportData data) {
        if (data.memorisation().isEmpty() && data.images().closestPairs() == null) {
            return;
        }
        section(s, "memorisation", "Memorisation audit");
        s.append("<p>For each synthetic image, the Euclidean distance to its nearest training image, compared with"
                + " the same distance for real test images the model never saw. Synthetic images closer than the"
                + " 1st percentile of the test distances, or exact copies, are flagged. This is an empirical check,"
                + " not part of the privacy guarantee; the distances and images below come from the private"
                + " training data.</p>\n");
        for (MemorisationAudit m : data.memorisation()) {
            s.append("<h3>").append(esc(m.space())).append("</h3>\n<table>\n");
            row(s, "1st percentile of test-to-train distances (threshold)", num(m.threshold()));
            row(s, "synthetic images below the threshold", pct(100 * m.fractionBelowThreshold()) + " of "
                    + m.syntheticToTrain().length);
            row(s, "exact copies of training images", Integer.toString(m.exactCopies()));
            row(s, "flagged synthetic images", Integer.toString(m.flagged().length));
            s.append("</table>\n");
            img(s, Charts.distanceHistogram(m), "histogram of distances to the nearest training image");
            if (!m.closestPairs().isEmpty()) {
                s.append("<table>\n<tr><th>rank</th><th>synthetic index</th><th>training index</th>"
                        + "<th>distance</th></tr>\n");
                int rank = 1;
                for (MemorisationAudit.ClosePair pair : m.closestPairs()) {
                    s.append("<tr><td>").append(rank++).append("</td><td>").append(pair.syntheticIndex())
                            .append("</td><td>").append(pair.trainIndex()).append("</td><td>")
                            .append(num(pair.distance())).append("</td></tr>\n");
                }
                s.append("</table>\n");
            }
        }
        if (data.images().closestPairs() != null) {
            s.append("<h3>Closest pairs</h3>\n<p class=\"small\">Each pair: synthetic image (left) and its nearest"
                    + " training image (right), closest pairs first.</p>\n");
            img(s, data.images().closestPairs(), "closest synthetic and training image pairs");
        }
    }

    private static void section(StringBuilder s, String id, String title) {
        s.append("<h2 id=\"").append(id).append("\">").append(esc(title)).append("</h2>\n");
    }

    /** A table row; {@code valueHtml} is already escaped. */
    private static void row(StringBuilder s, String labelHtml, String valueHtml) {
        s.append("<tr><th>").append(labelHtml).append("</th><td>").append(valueHtml).append("</td></tr>\n");
    }

    private static void img(StringBuilder s, byte[] png, String alt) {
        s.append("<p><img alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\"></p>\n");
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v);
    }

    private static String num(double v) {
        return esc(String.format(Locale.ROOT, "%.4g", v));
    }

    /** Escapes text for HTML element content and double- or single-quoted attributes. */
    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String CSS = """
            body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
                   color: #222; line-height: 1.4; }
            h1 { margin-bottom: 0.2em; }
            h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
            table { border-collapse: collapse; margin: 0.8em 0; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
            th { background: #f3f3f3; font-weight: 600; }
            .meta { color: #555; }
            .note { background: #eef4ff; border-left: 4px solid #3a6fd8; padding: 0.4em 0.8em; }
            .notice { background: #fff4e5; border-left: 4px solid #e08a00; padding: 0.6em 0.8em; }
            .small { font-size: 0.9em; color: #555; }
            img { max-width: 100%; image-rendering: pixelated; }
            """;
}
