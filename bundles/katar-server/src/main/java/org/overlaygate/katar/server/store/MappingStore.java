package org.overlaygate.katar.server.store;

import java.net.InetAddress;
import java.sql.SQLException;
import java.util.List;

import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;

/**
 * The mapping database as katar uses it, one entry point composed of four parts:
 * {@link ProtocolReads} (lookups through the read cache, each host's invalidation log, bulk pages),
 * {@link AdminListings} (what the operator's commands list), {@link MappingWrites} (the writes of
 * the orchestration commands and the invalidations they log) and {@link ChangeFeed} (cache
 * invalidations exchanged with the other servers on the same PostgreSQL).
 */
public final class MappingStore {
    /** The PostgreSQL channel carrying cache invalidations between servers. */
    public static final String CHANNEL = ChangeFeed.CHANNEL;

    /** Entries a host's invalidation log holds at most before the oldest are dropped ({@link InvalidationLog}). */
    public static final int DEFAULT_LOG_CAP = 10_000;

    private final Database db;
    private final ReadCache cache;
    private final int logCap;
    private final ProtocolReads reads;
    private final AdminListings listings;
    private final ChangeFeed feed;
    private final MappingWrites writes;

    public MappingStore(Database db, ReadCache cache) {
        this(db, cache, DEFAULT_LOG_CAP);
    }

    /** @param logCap entries each host's log holds at most; older ones are dropped, counted and replaced by an overflow entry */
    public MappingStore(Database db, ReadCache cache, int logCap) {
        if (logCap < 1) {
            throw new IllegalArgumentException("the log cap must be at least 1");
        }
        this.db = db;
        this.cache = cache;
        this.logCap = logCap;
        this.reads = new ProtocolReads(db, cache);
        this.listings = new AdminListings(db);
        this.feed = new ChangeFeed(db, cache);
        this.writes = new MappingWrites(db, cache, logCap, feed);
    }

    public int logCap() {
        return logCap;
    }

    public Database database() {
        return db;
    }

    public ReadCache cache() {
        return cache;
    }

    // ---------------------------------------------------------------- lookups

    /** The cached VL2 answer, or null: never touches the database (the I/O thread calls this). */
    public Vl2Ack cachedVl2(long vnetId, long mac) {
        return reads.cachedVl2(vnetId, mac);
    }

    public Vl3Ack cachedVl3(long vnetId, byte[] ip) {
        return reads.cachedVl3(vnetId, ip);
    }

    /** The VL2 answer from the database, remembered in the cache. */
    public Vl2Ack loadVl2(long vnetId, long mac) throws SQLException {
        return reads.loadVl2(vnetId, mac);
    }

    public Vl3Ack loadVl3(long vnetId, byte[] ip) throws SQLException {
        return reads.loadVl3(vnetId, ip);
    }

    /**
     * LOG_REQ: the oldest entries of the host with this underlay address, as many as fit in
     * {@code maxBytes} of LOG_ACK payload (status included). A host the database does not know
     * has an empty log.
     */
    public LogAck log(byte[] hostIp, long maxBytes) throws SQLException {
        return reads.log(hostIp, maxBytes);
    }

    /** LOG_RM: removes the entries with these ids (unknown ids are ignored: removal is idempotent). */
    public void logRemove(List<byte[]> ids) throws SQLException {
        reads.logRemove(null, ids);
    }

    /** LOG_RM: removes the entries with these ids whose host's underlay address {@code mayRemove} accepts (null: any). */
    public void logRemove(java.util.function.Predicate<byte[]> mayRemove, List<byte[]> ids) throws SQLException {
        reads.logRemove(mayRemove, ids);
    }

    /**
     * BULK_REQ: a page of mappings ordered by (vnet, key), at most {@code maxBytes} of BULK_ACK
     * payload; flag MORE when the page was full.
     */
    public BulkAck bulk(BulkRequest req, int maxBytes) throws SQLException {
        return reads.bulk(req, maxBytes);
    }

    // ---------------------------------------------------------------- listings

    public int schemaVersion() throws SQLException {
        return listings.schemaVersion();
    }

    public List<Rows.Host> hosts() throws SQLException {
        return listings.hosts();
    }

    public List<Rows.Vnet> vnets() throws SQLException {
        return listings.vnets();
    }

    /** Every mapping, or those of one vnet, ordered by vnet and MAC. */
    public List<Rows.Mapping> mappings(Long vnetId) throws SQLException {
        return listings.mappings(vnetId);
    }

    /** Pending invalidations, oldest first, at most {@code limit}. */
    public List<Rows.LogLine> logLines(int limit) throws SQLException {
        return listings.logLines(limit);
    }

    // ---------------------------------------------------------------- writes

    /** {@code katar:host-add}: a new host; the same definition again is no change; another is refused. */
    public String addHost(String id, InetAddress ip, int port) throws SQLException {
        return writes.addHost(id, ip, port);
    }

    /** {@code katar:map-add}: a new mapping; the same again is no change; a different one is refused. */
    public String addMapping(long vnetId, long mac, String host, int vlan, List<InetAddress> ips) throws SQLException {
        return writes.addMapping(vnetId, mac, host, vlan, ips);
    }

    public String removeMapping(long vnetId, long mac) throws SQLException {
        return writes.removeMapping(vnetId, mac);
    }

    public String moveMapping(long vnetId, long mac, String host) throws SQLException {
        return writes.moveMapping(vnetId, mac, host);
    }

    /**
     * {@code katar:host-remove}: forgets a host and its log. Refused while mappings point at it,
     * unless {@code force}, which removes those mappings first (every host on their vnets is told).
     */
    public String removeHost(String id, boolean force) throws SQLException {
        return writes.removeHost(id, force);
    }

    /** {@code katar:import}: vnets, hosts, then mappings, all or nothing; importing twice changes nothing. */
    public String importDocument(ImportDocument doc) throws SQLException {
        return writes.importDocument(doc);
    }

    // ---------------------------------------------------------------- change feed

    /** Applies a change notification from another server (tokens, or "*" for everything). */
    public void applyNotification(String payload) {
        feed.applyNotification(payload);
    }
}
