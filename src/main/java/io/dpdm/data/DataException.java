package io.dpdm.data;

import io.dpdm.DpdmException;
import java.nio.file.Path;

/**
 * Bad or unreadable input data. The message is "FILE: problem" on one line: line breaks in
 * problems quoted from libraries (Jackson, ImageIO) are folded so the CLI prints a single line.
 */
public final class DataException extends DpdmException {
    public DataException(Path file, String problem) {
        super(line(file, problem));
    }

    public DataException(Path file, String problem, Throwable cause) {
        super(line(file, problem), cause);
    }

    private static String line(Path file, String problem) {
        return file + ": " + problem.replaceAll("\\s*\\R\\s*", " ");
    }
}
