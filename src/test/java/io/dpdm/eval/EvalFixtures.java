package io.dpdm.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.classify.HoldOut;
import io.dpdm.data.Datasets;
import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageSplit;
import io.dpdm.data.LoadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/** Small real and "synthetic" sets cut from the embedded Fashion-MNIST, written as the tools write them. */
final class EvalFixtures {
    private static ImageDataset fashion;

    private EvalFixtures() {}

    static synchronized ImageDataset fashionMnist() {
        if (fashion == null) {
            fashion = Datasets.open("fashion-mnist", LoadOptions.defaults());
        }
        return fashion;
    }

    /** Images [from, to) of a split. */
    static ImageSplit range(ImageSplit split, int from, int to) {
        return HoldOut.subset(split, IntStream.range(from, to).toArray());
    }

    /** A real data set folder named fashion-mnist (so the published figures apply): train [0, train), test [0, test). */
    static Path realSubset(Path parent, int train, int test) {
        ImageDataset f = fashionMnist();
        Path dir = parent.resolve("fashion-mnist");
        IdxWriter.writeDataset(dir, new ImageDataset("fashion-mnist", f.shape(), f.classNames(),
                range(f.train(), 0, train), range(f.test(), 0, test)));
        return dir;
    }

    /**
     * A synthetic set folder as the demo writes it: RUN/synthetic (manifest.json with a guarantee,
     * idx/) inside a run folder (model.zip, config.json, metrics.jsonl), holding real training
     * images [from, to): a stand-in for a perfect generator.
     */
    static Path syntheticSet(Path parent, int from, int to, List<String> classNames) throws IOException {
        ImageDataset f = fashionMnist();
        Path run = Files.createDirectories(parent.resolve("run"));
        Files.write(run.resolve("model.zip"), new byte[0]);
        Files.writeString(run.resolve("config.json"), "{\"privacy\": {\"epsilon\": 10, \"delta\": 1e-5}}");
        StringBuilder metrics = new StringBuilder();
        for (int step = 1; step <= 40; step++) {
            metrics.append(String.format(java.util.Locale.ROOT, "{\"step\": %d, \"loss\": %.4f, \"epsilon\": %.4f}%n",
                    step, 2.0 / Math.sqrt(step), 9.98 * Math.sqrt(step / 40.0)));
        }
        Files.writeString(run.resolve("metrics.jsonl"), metrics);
        Path dir = Files.createDirectories(run.resolve("synthetic"));
        IdxWriter.writeDataset(dir.resolve("idx"), new ImageDataset("synthetic", f.shape(), classNames,
                range(f.train(), from, to), ImageSplit.empty(f.shape())));
        ObjectMapper json = new ObjectMapper();
        ObjectNode m = json.createObjectNode();
        m.put("format", "dpdm-synthetic-data").put("version", 1);
        ObjectNode p = m.putObject("privacy");
        p.put("epsilon", 9.98).put("delta", 1e-5).put("accountant", "prv").put("note", "");
        p.putObject("ledger").putArray("phases").addObject().put("q", 0.004).put("sigma", 1.2).put("steps", 40);
        m.putObject("model").put("file", "model.zip");
        Files.writeString(dir.resolve("manifest.json"), json.writeValueAsString(m));
        return dir;
    }
}
