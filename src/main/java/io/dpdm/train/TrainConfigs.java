package io.dpdm.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.dpdm.DpdmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading, writing and layering {@link TrainConfig}s. A run's config is built in layers: the
 * preset, then a YAML/JSON file, then command-line flags; each layer is a (partial) JSON tree
 * deep-merged over the previous one, and only the final tree is turned into a validated record.
 */
public final class TrainConfigs {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    // Type ids as a plain "type" field (not YAML tags), so a YAML file reads like the JSON one.
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.USE_NATIVE_TYPE_ID)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private TrainConfigs() {}

    /** The JSON tree of a config or of any part of one (records, enums, numbers). */
    public static <T extends com.fasterxml.jackson.databind.JsonNode> T toTree(Object value) {
        return JSON.valueToTree(value);
    }

    public static String toJson(TrainConfig config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the training config", e);
        }
    }

    public static String toYaml(TrainConfig config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the training config", e);
        }
    }

    /** The record for a complete tree; {@code source} names it in error messages. */
    public static TrainConfig fromTree(JsonNode tree, String source) {
        try {
            return JSON.treeToValue(tree, TrainConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DpdmException(source + ": invalid training config: " + reason(e));
        }
    }

    /** A partial config tree from a YAML (or JSON: YAML is a superset) file. */
    public static ObjectNode readTree(Path file) {
        try {
            JsonNode node = YAML.readTree(Files.readString(file));
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JSON.createObjectNode();
            }
            if (!node.isObject()) {
                throw new DpdmException(file + ": a training config must be a mapping of fields, got " + node.getNodeType());
            }
            infinityAsNumber((ObjectNode) node);
            return (ObjectNode) node;
        } catch (NoSuchFileException e) {
            throw new DpdmException(file + ": config file not found");
        } catch (JsonProcessingException e) {
            throw new DpdmException(file + ": not valid YAML/JSON: " + reason(e));
        } catch (IOException e) {
            throw new DpdmException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** privacy.epsilon may be written inf or Infinity (Jackson's YAML parser rejects .inf); make it the number. */
    private static void infinityAsNumber(ObjectNode root) {
        JsonNode privacy = root.get("privacy");
        if (privacy instanceof ObjectNode p && p.path("epsilon").isTextual()) {
            String v = p.get("epsilon").asText().trim().toLowerCase(java.util.Locale.ROOT);
            if (v.equals("inf") || v.equals("infinity") || v.equals("+inf")) {
                p.put("epsilon", Double.POSITIVE_INFINITY);
            }
        }
    }

    /** A complete config from a file (e.g. a run's config.json). */
    public static TrainConfig read(Path file) {
        return fromTree(readTree(file), file.toString());
    }

    /**
     * Deep-merges {@code layer} into {@code base} (in place): objects merge field by field,
     * anything else replaces. A layer that changes an object's "type" (e.g. another
     * preconditioning) replaces that object whole, since the old fields belong to the old type.
     */
    public static ObjectNode merge(ObjectNode base, JsonNode layer) {
        layer.fields().forEachRemaining(e -> {
            JsonNode old = base.get(e.getKey());
            JsonNode value = e.getValue();
            boolean sameType = old != null && old.path("type").equals(value.path("type"));
            if (old instanceof ObjectNode o && value.isObject() && (sameType || !value.has("type"))) {
                merge(o, value);
            } else {
                base.set(e.getKey(), value.deepCopy());
            }
        });
        return base;
    }

    /** The innermost message of a Jackson failure, on one line, with the JSON path when known. */
    private static String reason(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        message = message.lines().findFirst().orElse("");
        if (e instanceof ValueInstantiationException || root instanceof IllegalArgumentException) {
            return message;
        }
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            return message + " (at " + m.getPathReference().replace("io.dpdm.train.", "") + ")";
        }
        return message;
    }
}
