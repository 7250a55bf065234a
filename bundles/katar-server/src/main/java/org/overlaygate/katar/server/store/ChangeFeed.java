package org.overlaygate.katar.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.overlaygate.katar.server.store.Keys.Vl2Key;
import org.overlaygate.katar.server.store.Keys.Vl3Key;

/**
 * The change feed between servers sharing one PostgreSQL: a write tells the others which cached
 * answers it changed by NOTIFY on {@link #CHANNEL}, inside its transaction, and a notification
 * from another server ({@link ChangeListener} hears it) invalidates those keys here. A payload too
 * long for NOTIFY becomes "*", flush everything.
 */
final class ChangeFeed {
    /** The PostgreSQL channel carrying cache invalidations between servers. */
    static final String CHANNEL = "katar_changes";
    /** A notification payload past this many characters becomes "flush everything". */
    static final int MAX_NOTIFY_PAYLOAD = 7000;

    private final Database db;
    private final ReadCache cache;

    ChangeFeed(Database db, ReadCache cache) {
        this.db = db;
        this.cache = cache;
    }

    /** Tells the other servers, within the write's transaction on {@code c}, which keys it changed (or all, {@code flush}). */
    void notifyOthers(Connection c, Collection<Object> keys, boolean flush) throws SQLException {
        if (db.dialect() != Dialect.POSTGRESQL || (keys.isEmpty() && !flush)) {
            return;
        }
        StringBuilder payload = new StringBuilder();
        for (Object k : keys) {
            payload.append(k instanceof Vl2Key v ? v.token() : ((Vl3Key) k).token()).append(' ');
            if (payload.length() > MAX_NOTIFY_PAYLOAD) {
                break;
            }
        }
        String text = flush || payload.length() > MAX_NOTIFY_PAYLOAD ? "*" : payload.toString().trim();
        try (PreparedStatement p = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            p.setString(1, CHANNEL);
            p.setString(2, text);
            p.execute();
        }
    }

    /** Applies a change notification from another server (tokens, or "*" for everything). */
    void applyNotification(String payload) {
        List<Object> keys = new ArrayList<>();
        for (String token : payload.trim().split("\\s+")) {
            if (token.equals("*")) {
                cache.clear();
                return;
            }
            Object k = Keys.parse(token);
            if (k != null) {
                keys.add(k);
            }
        }
        cache.invalidate(keys);
    }
}
