package org.overlaygate.katar.server.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with a connection of the pool, in or out of a transaction. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection c) throws SQLException;
}
