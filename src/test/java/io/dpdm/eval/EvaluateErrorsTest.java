package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.cli.CliRun;
import io.dpdm.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to dpdm evaluate: exit 1 and one line naming the file and what was expected. */
class EvaluateErrorsTest {
    private static String rejected(String... args) {
        CliRun run = CliRun.of(args);
        assertEquals(Main.FAILED, run.code(), run.err());
        // Progress lines may come first; the error is the last line, alone, without a stack trace.
        String[] lines = run.err().strip().split("\n");
        String line = lines[lines.length - 1];
        assertTrue(line.startsWith("dpdm: error: "), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
        return line;
    }

    private static String[] evaluate(Path synthetic, String real, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--synthetic", synthetic.toString(),
                "--real", real, "--out", out.toString(), "--cache", out.resolve("cache").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void missingFolderNoManifestNoIdx(@TempDir Path tmp) throws Exception {
        assertTrue(rejected(evaluate(tmp.resolve("nope"), "fashion-mnist", tmp.resolve("o")))
                .contains("nope: no such folder"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(rejected(evaluate(empty, "fashion-mnist", tmp.resolve("o"))).contains("no manifest.json"));
        Files.writeString(empty.resolve("manifest.json"), "{}");
        assertTrue(rejected(evaluate(empty, "fashion-mnist", tmp.resolve("o"))).contains("no idx/ folder"));
        Files.writeString(empty.resolve("manifest.json"), "{not json");
        assertTrue(rejected(evaluate(empty, "fashion-mnist", tmp.resolve("o"))).contains("not valid JSON"));
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.write(run.resolve("model.zip"), new byte[0]);
        assertTrue(rejected(evaluate(run, "fashion-mnist", tmp.resolve("o")))
                .contains("a training run without a synthetic set"));
    }

    @Test
    void classMismatchAndMissingRealData(@TempDir Path tmp) throws Exception {
        List<String> other = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        Path synthetic = EvalFixtures.syntheticSet(tmp, 0, 50, other);
        String line = rejected(evaluate(synthetic, "fashion-mnist", tmp.resolve("o")));
        assertTrue(line.contains("classes [0, 1,") && line.contains("do not match the real data set fashion-mnist"),
                line);
        assertTrue(rejected(evaluate(synthetic, tmp.resolve("none").toString(), tmp.resolve("o")))
                .contains("none"));
    }

    @Test
    void badFeatureExtractorFiles(@TempDir Path tmp) throws Exception {
        Path synthetic = EvalFixtures.syntheticSet(tmp, 0, 50, EvalFixtures.fashionMnist().classNames());
        // The extractor is loaded before any classifier is trained: these fail fast.
        assertTrue(rejected(evaluate(synthetic, "fashion-mnist", tmp.resolve("o"), "--feature-extractor",
                tmp.resolve("inception.pt").toString())).contains("inception.pt: no such file"));
        Path text = Files.writeString(tmp.resolve("text.pt"), "not a model");
        assertTrue(rejected(evaluate(synthetic, "fashion-mnist", tmp.resolve("o"), "--feature-extractor",
                text.toString())).contains("text.pt: not a TorchScript file"));
        Path zip = tmp.resolve("zip.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(new byte[] {0x42});
            z.closeEntry();
        }
        assertTrue(rejected(evaluate(synthetic, "fashion-mnist", tmp.resolve("o"), "--feature-extractor",
                zip.toString())).contains("zip.pt: PyTorch cannot load it as TorchScript"));
    }
}
