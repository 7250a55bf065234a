package org.overlaygate.katar.protocol;

/**
 * Bytes that are not a katar message: a bad CRC, an unknown version, a size over the limit, or a
 * payload whose length or content does not fit its operation. Carries a short reason that servers
 * use as a counter name.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a stream or payload was refused. */
    public enum Reason {
        BAD_VERSION("bad_version"),
        OVERSIZE("oversize"),
        BAD_CRC("bad_crc"),
        MALFORMED("malformed");

        public final String counter;

        Reason(String counter) {
            this.counter = counter;
        }
    }

    private final Reason reason;

    public ProtocolException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
