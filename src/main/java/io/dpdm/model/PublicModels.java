package io.dpdm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpdm.DpdmException;
import io.dpdm.data.EmbeddedDatasets;
import io.dpdm.diffusion.UNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Denoisers shipped in {@code data/pretrained/}, trained WITHOUT privacy on one of the embedded
 * public data sets and listed in {@code data/pretrained.json} (file, sha256, the data set, the
 * network): starting weights for private training on other data (public pre-training, as in
 * Ghalebikesabi et al. 2023). A shipped file is fixed, part of the program like its code, so
 * starting from it depends on no private record and spends no budget. It is never used for the
 * data set it was trained on: {@code InitialModel} refuses a non-private model of the run's own
 * data, and {@link #forNetwork} offers only models of other data sets.
 */
public final class PublicModels {
    public static final String INDEX = "pretrained.json";

    /**
     * One shipped model: its file below the data folder, its sha256, the data it was trained on,
     * its network, and the data sets it is the measured best start for (may be empty).
     */
    public record Entry(String name, Path file, String sha256, String dataset, UNetConfig network,
            List<String> preferredFor) {}

    private final Path index;
    private final Map<String, Entry> entries;

    /** @param dataDir the folder holding {@value #INDEX} (normally {@code ${dpdm.home}/data}) */
    public PublicModels(Path dataDir) {
        this.index = dataDir.resolve(INDEX);
        ObjectMapper json = new ObjectMapper();
        Map<String, Entry> read = new LinkedHashMap<>();
        try {
            JsonNode models = json.readTree(index.toFile()).path("models");
            for (var it = models.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode m = e.getValue();
                if (!m.hasNonNull("file") || !m.hasNonNull("sha256") || !m.hasNonNull("dataset") || !m.has("network")) {
                    throw new DpdmException(index + ": model '" + e.getKey() + "' needs file, sha256, dataset and"
                            + " network");
                }
                if (m.has("preferredFor") && !m.get("preferredFor").isArray()) {
                    throw new DpdmException(index + ": model '" + e.getKey() + "': preferredFor must be a list of"
                            + " data set names");
                }
                List<String> preferredFor = new ArrayList<>();
                m.path("preferredFor").forEach(name -> preferredFor.add(name.asText()));
                read.put(e.getKey(), new Entry(e.getKey(), dataDir.resolve(m.get("file").asText()),
                        m.get("sha256").asText().toLowerCase(Locale.ROOT), m.get("dataset").asText(),
                        json.treeToValue(m.get("network"), UNetConfig.class), List.copyOf(preferredFor)));
            }
        } catch (JsonProcessingException e) {
            throw new DpdmException(index + ": invalid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new DpdmException(index + ": cannot read the shipped models' index (" + e.getMessage() + ")");
        }
        this.entries = java.util.Collections.unmodifiableMap(read);
    }

    /** The models of this installation ({@code ${dpdm.home}/data}), or none where dpdm.home is not set. */
    public static Optional<PublicModels> installed() {
        return EmbeddedDatasets.installedDataDir().filter(dir -> Files.isRegularFile(dir.resolve(INDEX)))
                .map(PublicModels::new);
    }

    /**
     * A model for {@code network} trained on a data set other than {@code privateData} (the
     * private data set's name): the first (in the index's order) whose {@code preferredFor} names
     * {@code privateData}, else the first listed.
     */
    public Optional<String> forNetwork(UNetConfig network, String privateData) {
        List<Entry> others = entries.values().stream()
                .filter(e -> e.network().equals(network) && !e.dataset().equals(privateData))
                .toList();
        return others.stream().filter(e -> e.preferredFor().contains(privateData)).findFirst()
                .or(() -> others.stream().findFirst())
                .map(Entry::name);
    }

    /** The file of model {@code name}, checked against its sha256. */
    public Path file(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new DpdmException("publicStart: no shipped model '" + name + "' in " + index + " (known: "
                    + new java.util.TreeSet<>(entries.keySet()) + ")");
        }
        String actual = EmbeddedDatasets.sha256(e.file());
        if (!actual.equals(e.sha256())) {
            throw new DpdmException(e.file() + ": sha256 mismatch: got " + actual + ", expected " + e.sha256()
                    + " (file damaged or replaced)");
        }
        return e.file();
    }
}
