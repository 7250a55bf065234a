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
 * keys each notification names. Whenever the connection is (re)established the whole cache is
 * flushed, since notifications sent while it was down are lost; the cache's TTL bounds staleness
 * in the meantime. Reconnects with backoff 0.5, 1, 2 ... 8 s.
 */
public final class ChangeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
    private static final int POLL_MS = 250;

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
        long backoff = 500;
        while (running) {
            try (Connection c = db.openDedicated()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + MappingStore.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                store.cache().clear();
                connected = true;
                backoff = 500;
                LOG.info("katar: listening for changes from other servers on {}", db.describe());
                while (running) {
                    PGNotification[] batch = pg.getNotifications(POLL_MS);
                    if (batch != null) {
                        for (PGNotification n : batch) {
                            notifications.increment();
                            store.applyNotification(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                boolean was = connected;
                connected = false;
                if (!running) {
                    return;
                }
                reconnects.increment();
                store.cache().clear();
                if (was) {
                    LOG.warn("katar: lost the change feed from PostgreSQL ({}); reconnecting", e.getMessage());
                } else {
                    LOG.debug("katar: change feed not connected: {}", e.getMessage());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 8000);
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
