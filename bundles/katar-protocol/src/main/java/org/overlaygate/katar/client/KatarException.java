package org.overlaygate.katar.client;

import java.io.IOException;

import org.overlaygate.katar.protocol.Svp;

/** A request that failed: the connection broke, or the server answered a status that is not OK. */
public final class KatarException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long status;

    public KatarException(String message) {
        this(message, -1, null);
    }

    public KatarException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    private KatarException(String message, long status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** A reply with a status that is not OK. */
    public static KatarException status(String what, long status) {
        return new KatarException(what + ": " + Svp.statusName(status), status, null);
    }

    /** The status of the reply, or -1 when the failure was not a reply. */
    public long status() {
        return status;
    }
}
