package io.dpdm.data;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The data sets shipped in {@code data/} ({@code fashion-mnist}, {@code mnist}), described by
 * {@code data/datasets.json}: class names and, per file, its path and sha256. Every file is
 * checked against its sha256 on every load (while it is parsed), so a damaged or replaced file is
 * refused with a clear message instead of yielding wrong data.
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
        } catch (JsonProcessingException e) {
            throw new DataException(file, "invalid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DataException(file, "cannot read the embedded data index: " + e.getMessage(), e);
        }
    }

    /** The embedded data of this installation: {@code ${dpdm.home}/data} (the launcher sets dpdm.home). */
    public static EmbeddedDatasets installed() {
        return new EmbeddedDatasets(installedDataDir().orElseThrow(() -> new io.dpdm.DpdmException(
                "system property dpdm.home is not set, so the embedded data sets cannot be found (run through the"
                        + " ./dpdm launcher or pass -Ddpdm.home=<repo>)")));
    }

    /** {@code ${dpdm.home}/data}, the folder of what this installation ships, or empty where dpdm.home is not set. */
    public static Optional<Path> installedDataDir() {
        String home = System.getProperty("dpdm.home");
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, "data"));
    }

    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        index.fieldNames().forEachRemaining(names::add);
        return names;
    }

    public boolean contains(String name) {
        return index.has(name);
    }

    /**
     * Loads an embedded set. The sha256 checks run on another thread while the files are parsed
     * (on 2 cores this hides most of their cost); a checksum failure is reported in preference to
     * any parse error, since a damaged file explains the parse error.
     */
    public ImageDataset load(String name) {
        JsonNode entry = index.get(name);
        if (entry == null) {
            throw new io.dpdm.DpdmException("unknown embedded data set '" + name + "' (known: " + names() + ")");
        }
        List<String> classes = new ArrayList<>();
        entry.path("classes").forEach(c -> classes.add(c.asText()));
        Map<String, Path> files = new LinkedHashMap<>();
        Map<Path, String> expected = new LinkedHashMap<>();
        for (String role : List.of("train-images", "train-labels", "test-images", "test-labels")) {
            JsonNode f = entry.path("files").path(role);
            if (!f.hasNonNull("file") || !f.hasNonNull("sha256")) {
                throw new DataException(dataDir.resolve(INDEX), "entry " + name + " lacks files." + role
                        + ".file or .sha256");
            }
            Path file = dataDir.resolve(f.get("file").asText());
            files.put(role, file);
            expected.put(file, f.get("sha256").asText().toLowerCase(Locale.ROOT));
        }
        CompletableFuture<Void> checks = CompletableFuture.runAsync(() -> expected.forEach(this::verify));
        ImageDataset data;
        try {
            data = IdxDatasets.load(name, files.get("train-images"), files.get("train-labels"),
                    files.get("test-images"), files.get("test-labels"), classes, dataDir.resolve(INDEX));
        } catch (DataException parseError) {
            await(checks);
            throw parseError;
        }
        await(checks);
        return data;
    }

    private static void await(CompletableFuture<Void> checks) {
        try {
            checks.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void verify(Path file, String expected) {
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new DataException(file, "sha256 mismatch: got " + actual + ", expected " + expected
                    + " (file damaged or replaced; see " + dataDir.resolve("PROVENANCE.md") + ")");
        }
    }

    /** The file's sha256 in lower-case hex; a missing or unreadable file is a one-line error. */
    public static String sha256(Path file) {
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
