package org.overlaygate.katar.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.LongAdder;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this server's read cache in step with writes made through other servers on the same
 * PostgreSQL: LISTENs on {@link MappingStore#CHANNEL} on a dedicated connection and invalidates the
 * keys each notification names.
 *
 * <p>Notifications sent while the feed is down are lost, so the cache must not serve what it cannot
 * hear about: it is suspended (empty, bypassed: lookups read the database) from construction until
 * LISTEN is in place, and again from the moment the feed fails until it is back, when it resumes
 * empty. The feed must therefore come back as soon as the database does: it reconnects after
 * 100, 200, 400 ms, then every 500 ms (a refused connection costs nothing), with a 2 s connect
 * timeout, so a database that returns is found within about half a second. A connection that goes
 * silent without closing (the database host vanished) is found by a {@code SELECT 1} every second
 * under a 3 s socket timeout.
 */
public final class ChangeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
    private static final int POLL_MS = 250;
    private static final long PING_NANOS = 1_000_000_000L;
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 500;
    /** pgjdbc settings of the LISTEN connection, in seconds: fail fast rather than hang. */
    private static final java.util.Map<String, String> CONNECTION = java.util.Map.of("connectTimeout", "2", "socketTimeout", "3");

    private final Database db;
    private final MappingStore store;
    private final Thread thread;
    private final LongAdder notifications = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile Connection connection;

    public ChangeListener(Database db, MappingStore store) {
        this.db = db;
        this.store = store;
        this.thread = new Thread(this::run, "katar-listen");
        thread.setDaemon(true);
        store.cache().suspend(); // until LISTEN is in place
    }

    public ChangeListener start() {
        thread.start();
        return this;
    }

    /** True while LISTEN is in place. */
    public boolean connected() {
        return connected;
    }

    public long notifications() {
        return notifications.sum();
    }

    public long reconnects() {
        return reconnects.sum();
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MS;
        while (running) {
            try (Connection c = db.openDedicated(CONNECTION)) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + MappingStore.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                store.cache().resume(); // empty: whatever was missed while the feed was down is not served
                connected = true;
                backoff = FIRST_BACKOFF_MS;
                LOG.info("katar: listening for changes from other servers on {}", db.describe());
                long lastHeard = System.nanoTime();
                while (running) {
                    PGNotification[] batch = pg.getNotifications(POLL_MS);
                    if (batch != null && batch.length > 0) {
                        lastHeard = System.nanoTime();
                        for (PGNotification n : batch) {
                            notifications.increment();
                            store.applyNotification(n.getParameter());
                        }
                    } else if (System.nanoTime() - lastHeard > PING_NANOS) {
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT 1"); // a silent, half-open connection fails here within the socket timeout
                        }
                        lastHeard = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                boolean was = connected;
                connected = false;
                store.cache().suspend(); // from now on writes elsewhere go unheard: serve nothing cached
                if (!running) {
                    return;
                }
                reconnects.increment();
                if (was) {
                    LOG.warn("katar: lost the change feed from PostgreSQL ({}); reading the database directly until it is back",
                            e.getMessage());
                } else {
                    LOG.debug("katar: change feed not connected: {}", e.getMessage());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            } finally {
                connected = false;
                connection = null;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            Database.quietClose(c);
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
