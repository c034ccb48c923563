package io.dpdm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.AtomicFiles;
import io.dpdm.DpdmException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The on-disk checkpoint container: one zip file holding {@code format.json} (format name and
 * version), {@code meta.json} (step, resolved config, privacy ledger, generator state,
 * provenance) and named groups of tensors ({@code <group>/<name>}, DJL's NDArray encoding),
 * e.g. "params", "ema", "adam.m". Written atomically (see {@link AtomicFiles}).
 */
public final class CheckpointFile {
    public static final String FORMAT = "dpdm-checkpoint";
    public static final int VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a checkpoint holds: JSON metadata and tensor groups (group -> name -> array). */
    public record Contents(ObjectNode meta, Map<String, Map<String, NDArray>> tensors) {
        public Map<String, NDArray> group(Path file, String name) {
            Map<String, NDArray> g = tensors.get(name);
            if (g == null) {
                throw new DpdmException(file + ": checkpoint has no '" + name + "' tensors");
            }
            return g;
        }
    }

    private CheckpointFile() {}

    public static void write(Path file, ObjectNode meta, Map<String, Map<String, NDArray>> tensors) {
        AtomicFiles.write(file, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            zip.setLevel(1); // float weights barely compress; speed matters more
            putJson(zip, "format.json", JSON.createObjectNode().put("format", FORMAT).put("version", VERSION));
            putJson(zip, "meta.json", meta);
            for (var group : tensors.entrySet()) {
                for (var t : group.getValue().entrySet()) {
                    zip.putNextEntry(new ZipEntry(group.getKey() + "/" + t.getKey()));
                    zip.write(t.getValue().encode());
                    zip.closeEntry();
                }
            }
            zip.finish();
        });
    }

    public static Contents read(Path file, NDManager manager) {
        ObjectNode meta = null;
        boolean formatSeen = false;
        Map<String, Map<String, NDArray>> tensors = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file);
                ZipInputStream zip = new ZipInputStream(new java.io.BufferedInputStream(in, 1 << 20))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                byte[] bytes = zip.readAllBytes();
                String name = e.getName();
                if (name.equals("format.json")) {
                    checkFormat(file, JSON.readTree(bytes));
                    formatSeen = true;
                } else if (name.equals("meta.json")) {
                    meta = (ObjectNode) JSON.readTree(bytes);
                } else {
                    int slash = name.indexOf('/');
                    if (slash < 0) {
                        throw new DpdmException(file + ": unexpected checkpoint entry '" + name + "'");
                    }
                    tensors.computeIfAbsent(name.substring(0, slash), k -> new LinkedHashMap<>())
                            .put(name.substring(slash + 1), NDArray.decode(manager, bytes));
                }
            }
        } catch (NoSuchFileException e) {
            throw new DpdmException(file + ": checkpoint not found");
        } catch (ZipException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DpdmException(file + ": not a dpdm checkpoint (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new DpdmException(file + ": cannot read checkpoint (" + e.getMessage() + ")");
        }
        if (!formatSeen || meta == null) {
            throw new DpdmException(file + ": not a dpdm checkpoint (format.json or meta.json missing)");
        }
        return new Contents(meta, tensors);
    }

    private static void checkFormat(Path file, JsonNode format) {
        if (!FORMAT.equals(format.path("format").asText())) {
            throw new DpdmException(file + ": not a dpdm checkpoint (format '" + format.path("format").asText() + "')");
        }
        int version = format.path("version").asInt(-1);
        if (version != VERSION) {
            throw new DpdmException(file + ": checkpoint format version " + version
                    + " is not supported (this dpdm reads version " + VERSION + ")");
        }
    }

    private static void putJson(ZipOutputStream zip, String name, JsonNode node) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        zip.closeEntry();
    }
}
