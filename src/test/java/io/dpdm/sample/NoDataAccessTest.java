package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Sampling is post-processing only if it cannot read data: every dpdm class that sampling (the
 * sample package and the sample command) can reach, following class references through the
 * compiled code, may use the data package's writers but none of its loaders.
 */
class NoDataAccessTest {
    /** The data classes sampling may touch: writers and plain value types. */
    private static final Set<String> ALLOWED = Set.of("IdxWriter", "ImageGrid", "ImageShape", "ImageSplit", "Pixels",
            "ImageDataset", "DataException", "ImageGrid$Source");
    private static final Set<String> ROOTS = Set.of("io/dpdm/cli/SampleCommand", "io/dpdm/cli/SampleCommand$Source",
            "io/dpdm/cli/SampleCommand$ImageProgress", "io/dpdm/cli/SampleBenchCommand");
    private static final Pattern REFERENCE = Pattern.compile("io/dpdm/[A-Za-z0-9_/$]+");

    @Test
    void samplingReachesNoDataLoader() throws IOException {
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.addAll(ROOTS);
        java.nio.file.Path samplePackage = java.nio.file.Path.of(java.net.URI.create(
                NoDataAccessTest.class.getClassLoader().getResource("io/dpdm/sample/Sampler.class").toString())).getParent();
        try (var files = java.nio.file.Files.list(samplePackage)) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".class"))
                    .forEach(f -> todo.add("io/dpdm/sample/" + f.substring(0, f.length() - ".class".length())));
        }
        Set<String> dataUsed = new TreeSet<>();
        while (!todo.isEmpty()) {
            String cls = todo.pop();
            if (!seen.add(cls)) {
                continue;
            }
            if (cls.startsWith("io/dpdm/data/")) {
                dataUsed.add(cls.substring("io/dpdm/data/".length()));
                continue; // the writers' own internals are the data package's business
            }
            if (cls.startsWith("io/dpdm/cli/") && !ROOTS.contains(cls)) {
                continue; // the command's reference to Main (which lists every command) is not a call path
            }
            for (String ref : references(cls)) {
                if (!seen.contains(ref)) {
                    todo.add(ref);
                }
            }
        }
        assertTrue(seen.contains("io/dpdm/sample/DenoiserNetwork") && seen.contains("io/dpdm/model/ModelCheckpoint"),
                "the scan follows references: " + seen);
        assertTrue(dataUsed.contains("IdxWriter"), "the scan sees the writers: " + dataUsed);
        for (String used : dataUsed) {
            assertTrue(ALLOWED.contains(used), "sampling reaches io.dpdm.data." + used + " (only writers allowed)");
        }
        for (String loader : new String[] {"Datasets", "IdxReader", "IdxDatasets", "EmbeddedDatasets", "FolderDatasets"}) {
            assertFalse(dataUsed.contains(loader), loader);
        }
    }

    @Test
    void theScanWouldSeeALoader() throws IOException {
        // guards the test itself: the data command does open data sets, and the scan must notice
        assertTrue(references("io/dpdm/cli/DataCommand$Source").contains("io/dpdm/data/Datasets"));
        assertEquals(Set.of(), Set.copyOf(references("io/dpdm/sample/NoiseGrid")));
    }

    /** dpdm classes named in the constant pool of a compiled class (and its nested classes). */
    private static Set<String> references(String cls) throws IOException {
        Set<String> out = new TreeSet<>();
        try (InputStream in = NoDataAccessTest.class.getClassLoader().getResourceAsStream(cls + ".class")) {
            if (in == null) {
                return out; // e.g. a package name matched by the pattern
            }
            Matcher m = REFERENCE.matcher(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
            while (m.find()) {
                String ref = m.group();
                if (!ref.equals(cls)) {
                    out.add(ref);
                }
            }
        }
        return out;
    }
}
