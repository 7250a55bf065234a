package org.overlaygate.katar.server.store;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC side: a driver chosen by URL (created directly, not through {@code DriverManager},
 * which does not see drivers across OSGi bundles), a small bounded connection pool, and helpers
 * for reads (auto-commit) and write transactions (SERIALIZABLE, retried on serialization failures
 * so two servers writing to one PostgreSQL at once stay correct).
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final int WRITE_ATTEMPTS = 12;
    private static final long BORROW_TIMEOUT_MS = 5000;

    private final String url;
    private final Properties properties = new Properties();
    private final Dialect dialect;
    private final Driver driver;
    private final BlockingQueue<Connection> idle;
    private final Semaphore permits;
    private volatile boolean closed;

    /**
     * @throws IllegalArgumentException for an unsupported URL or a missing driver
     */
    public Database(String url, String user, String password, int poolSize) {
        this.url = url;
        this.dialect = Dialect.of(url);
        if (user != null && !user.isEmpty()) {
            properties.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            properties.setProperty("password", password);
        }
        this.driver = driver(dialect);
        this.idle = new ArrayBlockingQueue<>(poolSize);
        this.permits = new Semaphore(poolSize);
    }

    private static Driver driver(Dialect dialect) {
        try {
            return dialect == Dialect.H2 ? new org.h2.Driver() : new org.postgresql.Driver();
        } catch (NoClassDefFoundError e) {
            throw new IllegalArgumentException("the JDBC driver for " + dialect + " is not installed ("
                    + (dialect == Dialect.H2 ? "com.h2database" : "org.postgresql.jdbc") + " bundle)");
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The URL without credentials, for display. */
    public String describe() {
        return JdbcUrls.masked(url) + (properties.containsKey("user") ? " as " + properties.getProperty("user") : "");
    }

    /** A connection outside the pool (migrations); the caller closes it. */
    public Connection openDedicated() throws SQLException {
        return openDedicated(java.util.Map.of());
    }

    /**
     * A connection outside the pool with driver properties added to the credentials (the PostgreSQL
     * LISTEN connection sets short timeouts); the caller closes it.
     */
    public Connection openDedicated(java.util.Map<String, String> driverProperties) throws SQLException {
        Properties p = properties;
        if (!driverProperties.isEmpty()) {
            p = new Properties();
            p.putAll(properties);
            p.putAll(driverProperties);
        }
        Connection c = driver.connect(url, p);
        if (c == null) {
            throw new SQLException("the driver does not accept " + describe());
        }
        return c;
    }

    private Connection borrow() throws SQLException {
        if (closed) {
            throw new SQLException("the database is closed");
        }
        try {
            if (!permits.tryAcquire(BORROW_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new SQLException("no database connection free within " + BORROW_TIMEOUT_MS + " ms", "08001");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a database connection");
        }
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        try {
            return openDedicated();
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void giveBack(Connection c, boolean broken) {
        try {
            if (broken || closed || !idle.offer(c)) {
                quietClose(c);
            }
        } finally {
            permits.release();
        }
    }

    private static boolean isBroken(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("08")) {
            return true;
        }
        try {
            return c.isClosed() || !c.isValid(2);
        } catch (SQLException ignored) {
            return true;
        }
    }

    /** Runs read-only work with auto-commit on. */
    public <T> T read(SqlWork<T> work) throws SQLException {
        Connection c = borrow();
        boolean broken = false;
        try {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return work.run(c);
        } catch (SQLException e) {
            broken = isBroken(c, e);
            throw e;
        } finally {
            giveBack(c, broken);
        }
    }

    /**
     * Runs work in one SERIALIZABLE transaction: committed when it returns, rolled back when it
     * throws. A serialization failure or deadlock (SQLState 40001, 40P01) is retried a few times.
     * Runtime exceptions (bad input found half-way) roll back and pass through unchanged.
     */
    public <T> T write(SqlWork<T> work) throws SQLException {
        for (int attempt = 1;; attempt++) {
            Connection c = borrow();
            boolean broken = false;
            try {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                T result = work.run(c);
                c.commit();
                if (dialect == Dialect.H2) {
                    // H2 writes committed data to the file at once (WRITE_DELAY=0) but does not
                    // fsync it; administrative writes are rare, so force them to the disk.
                    try (Statement s = c.createStatement()) {
                        s.execute("CHECKPOINT SYNC");
                    }
                }
                return result;
            } catch (SQLException e) {
                rollback(c);
                broken = isBroken(c, e);
                String state = e.getSQLState();
                boolean retry = ("40001".equals(state) || "40P01".equals(state)) && attempt < WRITE_ATTEMPTS;
                if (!retry) {
                    throw e;
                }
                LOG.debug("write transaction retried after {}", e.getMessage());
                backoff(attempt);
            } catch (RuntimeException e) {
                rollback(c);
                throw e;
            } finally {
                try {
                    if (!broken && !c.isClosed()) {
                        c.setAutoCommit(true);
                        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                    }
                } catch (SQLException e) {
                    broken = true;
                }
                giveBack(c, broken);
            }
        }
    }

    /** Jittered, growing pause before retrying a transaction that lost a serialization race. */
    private static void backoff(int attempt) throws SQLException {
        long maxMs = Math.min(5L << attempt, 500);
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, maxMs + 1));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while retrying a transaction");
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is checked before it goes back to the pool
        }
    }

    static void quietClose(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.poll()) != null) {
            quietClose(c);
        }
    }
}
