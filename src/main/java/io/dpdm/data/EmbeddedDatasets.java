package io.dpdm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The data sets shipped in {@code data/} ({@code fashion-mnist}, {@code mnist}), described by
 * {@code data/datasets.json}: class names and, per file, its path and sha256. Every file is
 * checked against its sha256 before it is parsed, so a damaged or replaced file is refused with
 * a clear message instead of yielding wrong data.
 */
public final class EmbeddedDatasets {
    public static final String INDEX = "datasets.json";
    private final Path dataDir;
    private final JsonNode index;

    /** @param dataDir the folder holding {@code datasets.json} (normally {@code ${dpdm.home}/data}) */
    public EmbeddedDatasets(Path dataDir) {
        this.dataDir = dataDir;
        Path file = dataDir.resolve(INDEX);
        try {
            this.index = new ObjectMapper().readTree(file.toFile()).path("datasets");
        } catch (IOException e) {
            throw new DataException(file, "cannot read the embedded data index: " + e.getMessage(), e);
        }
    }

    /** The embedded data of this installation: {@code ${dpdm.home}/data} (the launcher sets dpdm.home). */
    public static EmbeddedDatasets installed() {
        String home = System.getProperty("dpdm.home");
        if (home == null || home.isBlank()) {
            throw new io.dpdm.DpdmException("system property dpdm.home is not set, so the embedded data sets"
                    + " cannot be found (run through the ./dpdm launcher or pass -Ddpdm.home=<repo>)");
        }
        return new EmbeddedDatasets(Path.of(home, "data"));
    }

    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        index.fieldNames().forEachRemaining(names::add);
        return names;
    }

    public boolean contains(String name) {
        return index.has(name);
    }

    public ImageDataset load(String name) {
        JsonNode entry = index.get(name);
        if (entry == null) {
            throw new io.dpdm.DpdmException("unknown embedded data set '" + name + "' (known: " + names() + ")");
        }
        List<String> classes = new ArrayList<>();
        entry.path("classes").forEach(c -> classes.add(c.asText()));
        Path source = dataDir.resolve(INDEX);
        return IdxDatasets.load(name, verified(entry, "train-images"), verified(entry, "train-labels"),
                verified(entry, "test-images"), verified(entry, "test-labels"), classes, source);
    }

    private Path verified(JsonNode entry, String role) {
        JsonNode f = entry.path("files").path(role);
        if (!f.hasNonNull("file") || !f.hasNonNull("sha256")) {
            throw new DataException(dataDir.resolve(INDEX), "entry lacks files." + role + ".file or .sha256");
        }
        Path file = dataDir.resolve(f.get("file").asText());
        String expected = f.get("sha256").asText().toLowerCase(java.util.Locale.ROOT);
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new DataException(file, "sha256 mismatch: got " + actual + ", expected " + expected
                    + " (file damaged or replaced; see " + dataDir.resolve("PROVENANCE.md") + ")");
        }
        return file;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataException(file, "no such file (the embedded data are incomplete)", e);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
