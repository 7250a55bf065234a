package org.overlaygate.api.datapath;

/** The data path refused an operation; the message is one line for the operator. */
public class DataPathException extends Exception {
    private static final long serialVersionUID = 1L;

    public DataPathException(String message) {
        super(message);
    }

    public DataPathException(String message, Throwable cause) {
        super(message, cause);
    }
}
