package org.overlaygate.katar.server.store;

/** The two databases the mapping store runs on; chosen by the JDBC URL. */
public enum Dialect {
    /** Embedded, a file under the data directory: the default for one machine. */
    H2,
    /** Shared by several katar servers, with LISTEN/NOTIFY carrying cache invalidations. */
    POSTGRESQL;

    /**
     * @throws IllegalArgumentException for any other JDBC URL
     */
    public static Dialect of(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        } else if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported JDBC URL '" + url + "': katar runs on jdbc:h2:... or jdbc:postgresql:...");
    }
}
