package dev.vitals.core;

/**
 * Bad input from the user: a malformed spec, missing or corrupt data, an impossible model. The
 * message is one line that names the file, key or line and says what was expected; it is shown to
 * the user as {@code error: <message>} with exit code 2, never as a stack trace.
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
