package org.overlaygate.api.shell;

/**
 * An operator's error in a command (bad input, a refused operation), shown as its message alone:
 * the interactive Gogo prompt prints a failed command's exception with {@code toString()}, which
 * for other exceptions puts the class name in front ({@code java.lang.IllegalArgumentException:
 * missing -e ENCAP}). {@code bin/overlayadm} shows the same one line.
 */
public class CommandException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CommandException(String message) {
        super(message);
    }

    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The message alone, as the operator should read it. */
    @Override
    public String toString() {
        return getMessage();
    }
}
