package io.dpdm;

/**
 * A failure the user can act on: bad input, an unmet budget, a missing file. Its message is one
 * line that names the file, field or value and what was expected; the CLI prints it without a
 * stack trace (exit code 1) unless --debug is given.
 */
public class DpdmException extends RuntimeException {
    public DpdmException(String message) {
        super(message);
    }

    public DpdmException(String message, Throwable cause) {
        super(message, cause);
    }
}
