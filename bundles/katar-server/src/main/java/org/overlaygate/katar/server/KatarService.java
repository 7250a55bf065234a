package org.overlaygate.katar.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.server.net.Backend;
import org.overlaygate.katar.server.net.SvpServer;
import org.overlaygate.katar.server.store.ChangeListener;
import org.overlaygate.katar.server.store.Database;
import org.overlaygate.katar.server.store.Dialect;
import org.overlaygate.katar.server.store.MappingStore;
import org.overlaygate.katar.server.store.Migrations;
import org.overlaygate.katar.server.store.ReadCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running katar server, plain Java (the DS component and the tests both start it): the
 * database (migrated), the read cache, the mapping store, on PostgreSQL the change listener, and
 * the protocol server. {@link #close()} stops them in the opposite order.
 */
public final class KatarService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KatarService.class);

    private final KatarSettings settings;
    private final Database db;
    private final MappingStore store;
    private final ChangeListener listener;
    private final SvpServer server;
    private final int schemaVersion;

    private KatarService(KatarSettings settings, Database db, MappingStore store, ChangeListener listener, SvpServer server,
            int schemaVersion) {
        this.settings = settings;
        this.db = db;
        this.store = store;
        this.listener = listener;
        this.server = server;
        this.schemaVersion = schemaVersion;
    }

    /**
     * Starts a server.
     *
     * @throws SQLException when the database cannot be opened or migrated
     * @throws IOException when the address cannot be bound
     */
    public static KatarService start(KatarSettings s) throws SQLException, IOException {
        Database db = new Database(s.jdbcUrl(), s.jdbcUser(), s.jdbcPassword(), s.poolSize());
        ChangeListener listener = null;
        try {
            int version = Migrations.migrate(db, Migrations.ALL);
            ReadCache cache = new ReadCache(s.cacheEntries(), s.cacheTtlMs());
            MappingStore store = new MappingStore(db, cache);
            if (db.dialect() == Dialect.POSTGRESQL) {
                listener = new ChangeListener(db, store).start();
            }
            SvpServer server = new SvpServer(s.listen(), s.limits(), backend(store), s.logTrustNamedAddress());
            LOG.info("katar server listening on {} (database {}, schema version {})", server.address(), db.describe(), version);
            return new KatarService(s, db, store, listener, server, version);
        } catch (SQLException | IOException | RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            db.close();
            throw e;
        }
    }

    private static Backend backend(MappingStore store) {
        return new Backend() {
            @Override
            public Vl2Ack cachedVl2(long vnetId, long mac) {
                return store.cachedVl2(vnetId, mac);
            }

            @Override
            public Vl2Ack loadVl2(long vnetId, long mac) throws SQLException {
                return store.loadVl2(vnetId, mac);
            }

            @Override
            public Vl3Ack cachedVl3(long vnetId, byte[] ip) {
                return store.cachedVl3(vnetId, ip);
            }

            @Override
            public Vl3Ack loadVl3(long vnetId, byte[] ip) throws SQLException {
                return store.loadVl3(vnetId, ip);
            }

            @Override
            public LogAck log(byte[] hostIp, long maxBytes) throws SQLException {
                return store.log(hostIp, maxBytes);
            }

            @Override
            public void logRemove(java.util.function.Predicate<byte[]> mayRemove, List<byte[]> ids) throws SQLException {
                store.logRemove(mayRemove, ids);
            }

            @Override
            public BulkAck bulk(BulkRequest request, int maxBytes) throws SQLException {
                return store.bulk(request, maxBytes);
            }
        };
    }

    public KatarSettings settings() {
        return settings;
    }

    public MappingStore store() {
        return store;
    }

    public SvpServer server() {
        return server;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    /** Database, cache, listener and protocol counters, for {@code katar:show stats}. */
    public Map<String, Long> stats() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("connections", (long) server.connections());
        s.put("held_bytes", server.heldBytes());
        s.put("lookups_in_progress", (long) server.lookupsInProgress());
        s.putAll(server.stats().snapshot());
        s.putAll(store.cache().stats());
        if (listener != null) {
            s.put("changefeed_connected", listener.connected() ? 1L : 0L);
            s.put("changefeed_notifications", listener.notifications());
            s.put("changefeed_reconnects", listener.reconnects());
        }
        return s;
    }

    /** A short description of the database for {@code katar:show}. */
    public String database() {
        String d = db.dialect() == Dialect.H2 ? "h2 " : "postgresql ";
        String url = db.describe();
        if (db.dialect() == Dialect.H2) {
            url = url.replaceFirst("^jdbc:h2:file:", "").replaceFirst(";.*$", "") + " (embedded)";
        }
        return d + url + (listener != null ? (listener.connected() ? ", change feed up" : ", change feed DOWN") : "");
    }

    @Override
    public void close() {
        server.close();
        if (listener != null) {
            listener.close();
        }
        db.close();
        LOG.info("katar server on {} stopped", settings.listen());
    }
}
