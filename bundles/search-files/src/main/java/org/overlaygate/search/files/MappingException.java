package org.overlaygate.search.files;

/** Why a mapping file was refused: the line (0 when the whole file is at fault) and a one-line reason. */
final class MappingException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    MappingException(int line, String reason) {
        super(reason);
        this.line = line;
    }

    /** The 1-based line the reason is about, or 0 for the whole file. */
    int line() {
        return line;
    }

    /** {@code file /etc/x.json, line 7: reason}, as {@code overlay:show -f} prints it. */
    String describe(String file) {
        return "file " + file + (line > 0 ? ", line " + line : "") + ": " + getMessage();
    }
}
