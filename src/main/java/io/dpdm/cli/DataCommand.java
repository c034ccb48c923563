package io.dpdm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dpdm.data.Datasets;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageGrid;
import io.dpdm.data.ImageSize;
import io.dpdm.data.ImageSplit;
import io.dpdm.data.IdxWriter;
import io.dpdm.data.LoadOptions;
import io.dpdm.data.Pixels;
import io.dpdm.data.RenderedDigits;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dpdm data info|preview}: inspect a data set (embedded name, IDX files or image folder);
 * {@code dpdm data render-digits}: make the public digit set the shipped digit model was trained on.
 */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Inspect data sets: embedded names (fashion-mnist, mnist), IDX files, or image folders;"
                + " render a public digit data set from fonts.",
        subcommands = {DataCommand.Info.class, DataCommand.Preview.class, DataCommand.RenderDigits.class})
final class DataCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                new picocli.CommandLine(this), "missing subcommand: info, preview or render-digits");
    }

    /** The data set argument and load options shared by the subcommands. */
    static final class Source {
        @Parameters(index = "0", paramLabel = "NAME|PATH",
                description = "Embedded name (fashion-mnist, mnist), a folder of IDX files, an IDX images file,"
                        + " or a folder of images with one sub-folder per class (optionally under train/ and test/).")
        String nameOrPath;

        @Option(names = "--resize", paramLabel = "HxW", converter = SizeConverter.class,
                description = "Resize folder images of any other size to HxW (default: reject differing sizes).")
        ImageSize resize;

        ImageDataset open() {
            return Datasets.open(nameOrPath, new LoadOptions(Optional.ofNullable(resize)));
        }
    }

    static final class SizeConverter implements picocli.CommandLine.ITypeConverter<ImageSize> {
        @Override
        public ImageSize convert(String value) {
            try {
                return ImageSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Print split sizes, image shape, classes, per-class counts and pixel range.")
    static final class Info implements Callable<Integer> {
        @Mixin
        Source source;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            ImageDataset data = source.open();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (json) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(summary(data)));
            } else {
                printTable(data, seconds);
            }
            return Main.OK;
        }

        static Map<String, Object> summary(ImageDataset data) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", data.name());
            out.put("shape", ordered("channels", data.shape().channels(), "height", data.shape().height(),
                    "width", data.shape().width()));
            out.put("classes", data.classNames());
            Map<String, Object> splits = new LinkedHashMap<>();
            splits.put("train", split(data, data.train()));
            splits.put("test", split(data, data.test()));
            out.put("splits", splits);
            int[] range = range(data);
            Map<String, Object> pixels = new LinkedHashMap<>();
            pixels.put("raw", ordered("min", range[0], "max", range[1]));
            pixels.put("scaled", ordered("min", Pixels.toSigned(range[0]), "max", Pixels.toSigned(range[1])));
            out.put("pixel_range", pixels);
            return out;
        }

        /** A map that keeps the given key order (JSON output reads top-down). */
        private static Map<String, Object> ordered(Object... keysAndValues) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                out.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
            return out;
        }

        private static Map<String, Object> split(ImageDataset data, ImageSplit split) {
            Map<String, Integer> perClass = new LinkedHashMap<>();
            int[] counts = split.classCounts(data.numClasses());
            for (int k = 0; k < counts.length; k++) {
                perClass.put(data.classNames().get(k), counts[k]);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("size", split.size());
            out.put("per_class", perClass);
            return out;
        }

        /** uint8 {min, max} over both splits (an empty test split does not count). */
        private static int[] range(ImageDataset data) {
            int[] range = data.train().pixelRange();
            if (data.test().size() > 0) {
                int[] test = data.test().pixelRange();
                range = new int[] {Math.min(range[0], test[0]), Math.max(range[1], test[1])};
            }
            return range;
        }

        private static void printTable(ImageDataset data, double seconds) {
            int[] range = range(data);
            System.out.printf(Locale.ROOT, "data set     %s%n", data.name());
            System.out.printf(Locale.ROOT, "image shape  %s (height x width x channels)%n", data.shape());
            System.out.printf(Locale.ROOT, "pixel range  %d..%d (uint8), %.1f..%.1f (scaled tensors)%n",
                    range[0], range[1], Pixels.toSigned(range[0]), Pixels.toSigned(range[1]));
            System.out.printf(Locale.ROOT, "loaded in    %.2f s%n%n", seconds);
            int nameW = "class".length();
            for (String c : data.classNames()) {
                nameW = Math.max(nameW, c.length());
            }
            String row = "%-" + nameW + "s  %8s  %8s%n";
            System.out.printf(Locale.ROOT, row, "class", "train", "test");
            int[] train = data.train().classCounts(data.numClasses());
            int[] test = data.test().classCounts(data.numClasses());
            for (int k = 0; k < data.numClasses(); k++) {
                System.out.printf(Locale.ROOT, row, data.classNames().get(k), train[k], test[k]);
            }
            System.out.printf(Locale.ROOT, row, "total", data.train().size(), data.test().size());
        }
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = "Write a PNG grid of images, one row per class, labelled with the class names.")
    static final class Preview implements Callable<Integer> {
        @Mixin
        Source source;

        @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "PNG file to write.")
        Path out;

        @Option(names = "--split", defaultValue = "train", description = "train or test (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--per-class", defaultValue = "10", description = "Images per class (default: ${DEFAULT-VALUE}).")
        int perClass;

        @Option(names = "--scale", defaultValue = "2", description = "Enlargement factor (default: ${DEFAULT-VALUE}).")
        int scale;

        @Override
        public Integer call() {
            if (!List.of("train", "test").contains(split)) {
                throw new IllegalArgumentException("--split must be train or test, got '" + split + "'");
            }
            ImageDataset data = source.open();
            ImageSplit images = split.equals("train") ? data.train() : data.test();
            if (images.size() == 0) {
                throw new io.dpdm.DpdmException(source.nameOrPath + ": the " + split + " split is empty");
            }
            ImageGrid.write(out, images, data.classNames(), perClass, scale);
            System.out.printf(Locale.ROOT, "wrote %s (%d classes, up to %d %s images each)%n",
                    out, data.numClasses(), perClass, split);
            return Main.OK;
        }
    }

    @Command(name = "render-digits", mixinStandardHelpOptions = true,
            description = "Render MNIST-style digits from TrueType fonts (public data: no privacy budget) into a"
                    + " folder of IDX files, usable as --data.")
    static final class RenderDigits implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write.")
        Path out;

        @Option(names = "--per-class", defaultValue = "6000",
                description = "Images of each digit (default: ${DEFAULT-VALUE}, MNIST's size).")
        int perClass;

        @Option(names = "--seed", defaultValue = "7", description = "Seed of the renderings (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--fonts", paramLabel = "DIR", description = "Folder searched for *.ttf files"
                + " (default: /usr/share/fonts/truetype, as Debian's font packages install them).")
        Path fonts = RenderedDigits.SYSTEM_FONTS;

        @Override
        public Integer call() {
            if (perClass < 1) {
                throw new IllegalArgumentException("--per-class must be >= 1, got " + perClass);
            }
            List<java.awt.Font> faces = RenderedDigits.fonts(fonts);
            long start = System.nanoTime();
            ImageDataset data = RenderedDigits.render(faces, perClass, seed);
            IdxWriter.writeDataset(out, data);
            System.out.printf(Locale.ROOT, "wrote %s: %d images (%d per digit) from %d fonts in %.1f s%n", out,
                    data.train().size(), perClass, faces.size(), (System.nanoTime() - start) / 1e9);
            return Main.OK;
        }
    }
}
