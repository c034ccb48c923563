package io.dpdm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Training metrics as JSON lines (one object per logged step). The loss is computed on private
 * data and is NOT covered by the DP guarantee: this file stays in the run directory for the
 * operator and is never copied into released artifacts.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final Writer out;

    /** Opens for appending; on resume, lines after {@code keepUpToStep} (written after the checkpoint) are dropped. */
    public MetricsLog(Path file, long keepUpToStep) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                List<String> kept = new ArrayList<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && JSON.readTree(line).path("step").asLong() <= keepUpToStep) {
                        kept.add(line);
                    }
                }
                Files.write(file, kept, StandardCharsets.UTF_8);
            } else if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // operator-only like checkpoint.zip: the loss is a statistic of the private data
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new DpdmException(file + ": cannot open metrics log (" + e.getMessage() + ")", e);
        }
    }

    public void append(ObjectNode record) {
        try {
            out.write(JSON.writeValueAsString(record));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new DpdmException(file + ": cannot write metrics (" + e.getMessage() + ")", e);
        }
    }

    public static List<ObjectNode> read(Path file) {
        try {
            List<ObjectNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add((ObjectNode) JSON.readTree(line));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new DpdmException(file + ": cannot read metrics (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new DpdmException(file + ": cannot close metrics log", e);
        }
    }
}
