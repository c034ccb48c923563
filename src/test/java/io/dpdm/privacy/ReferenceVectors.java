package io.dpdm.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads shared/vectors/accounting.json (next to the project, as CI clones it). */
final class ReferenceVectors {
    private ReferenceVectors() {}

    static JsonNode load() {
        Path home = Path.of(System.getProperty("dpdm.home", "."));
        Path file = home.resolve("../shared/vectors/accounting.json").normalize();
        if (!Files.isRegularFile(file)) {
            file = Path.of("/work/shared/vectors/accounting.json");
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference vectors " + file, e);
        }
    }

    /** Orders named in the vectors file. */
    static double[] orders(String name) {
        return switch (name) {
            case "opacus" -> RdpAccountant.OPACUS_ORDERS;
            case "tf_privacy_cli" -> tfPrivacyCliOrders();
            default -> throw new IllegalArgumentException("unknown order set " + name);
        };
    }

    private static double[] tfPrivacyCliOrders() {
        double[] head = {1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5};
        double[] o = new double[head.length + 59 + 3];
        System.arraycopy(head, 0, o, 0, head.length);
        for (int a = 5; a <= 63; a++) {
            o[head.length + a - 5] = a;
        }
        o[o.length - 3] = 128;
        o[o.length - 2] = 256;
        o[o.length - 1] = 512;
        return o;
    }
}
