package org.overlaygate.admin;

/**
 * Turns a failed command into the one line an operator sees. Errors the commands raise on purpose
 * (bad input, refused operations) carry their own message; anything else is a bug, shown by name
 * and logged with its stack trace.
 */
final class CommandErrors {
    private CommandErrors() {
    }

    static boolean isOperatorError(Throwable e) {
        return e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e.getClass().getName().endsWith("PropertyException");
    }

    static String message(Throwable e) {
        String msg = e.getMessage() == null ? null : e.getMessage().strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
        if (isOperatorError(e) && msg != null && !msg.isBlank()) {
            return msg;
        }
        return "internal error: " + e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg) + " (details in the log)";
    }
}
