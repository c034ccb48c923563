package io.dpdm.data;

import io.dpdm.DpdmException;
import java.nio.file.Path;

/** Bad or unreadable input data; the message starts with the offending file and names the problem. */
public final class DataException extends DpdmException {
    public DataException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public DataException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
