package org.overlaygate.katar.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkEntry;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.BulkVl2;
import org.overlaygate.katar.protocol.Messages.BulkVl3;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.katar.server.store.Keys.Vl2Key;
import org.overlaygate.katar.server.store.Keys.Vl3Key;

/**
 * What the protocol asks of the database: VL2 and VL3 answers (from the read cache, or loaded and
 * remembered in it), a host's invalidation log and its removal, and BULK pages of mappings.
 */
final class ProtocolReads {
    private final Database db;
    private final ReadCache cache;

    ProtocolReads(Database db, ReadCache cache) {
        this.db = db;
        this.cache = cache;
    }

    /** The cached VL2 answer, or null: never touches the database (the I/O thread calls this). */
    Vl2Ack cachedVl2(long vnetId, long mac) {
        return (Vl2Ack) cache.get(new Vl2Key(vnetId, mac));
    }

    Vl3Ack cachedVl3(long vnetId, byte[] ip) {
        return (Vl3Ack) cache.get(Vl3Key.of(vnetId, ip));
    }

    /** The VL2 answer from the database, remembered in the cache. */
    Vl2Ack loadVl2(long vnetId, long mac) throws SQLException {
        long gen = cache.generation();
        Vl2Ack ack = db.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT h.underlay_ip, h.underlay_port FROM katar_mapping m"
                    + " JOIN katar_host h ON h.host_id = m.host_id WHERE m.vnet_id = ? AND m.mac = ?")) {
                p.setLong(1, vnetId);
                p.setLong(2, mac);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? new Vl2Ack(Svp.STATUS_OK, r.getInt(2), r.getBytes(1)) : Vl2Ack.status(Svp.STATUS_NOTFOUND);
                }
            }
        });
        cache.put(new Vl2Key(vnetId, mac), ack, gen, ack.status() != Svp.STATUS_OK);
        return ack;
    }

    Vl3Ack loadVl3(long vnetId, byte[] ip) throws SQLException {
        long gen = cache.generation();
        Vl3Ack ack = db.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT m.mac, h.underlay_ip, h.underlay_port FROM katar_mapping_ip i"
                    + " JOIN katar_mapping m ON m.vnet_id = i.vnet_id AND m.mac = i.mac"
                    + " JOIN katar_host h ON h.host_id = m.host_id WHERE i.vnet_id = ? AND i.ip = ?")) {
                p.setLong(1, vnetId);
                p.setBytes(2, ip);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? new Vl3Ack(Svp.STATUS_OK, r.getLong(1), r.getInt(3), r.getBytes(2))
                            : Vl3Ack.status(Svp.STATUS_NOTFOUND);
                }
            }
        });
        cache.put(Vl3Key.of(vnetId, ip), ack, gen, ack.status() != Svp.STATUS_OK);
        return ack;
    }

    /**
     * LOG_REQ: the oldest entries of the host with this underlay address, as many as fit in
     * {@code maxBytes} of LOG_ACK payload (status included). A host the database does not know
     * has an empty log.
     */
    LogAck log(byte[] hostIp, long maxBytes) throws SQLException {
        int room = (int) Math.min(maxBytes, Integer.MAX_VALUE) - 4;
        if (room < Svp.LOG_VL2_SIZE) {
            return new LogAck(Svp.STATUS_OK, List.of());
        }
        return db.read(c -> {
            String host = hostByIp(c, hostIp);
            List<LogEntry> entries = new ArrayList<>();
            if (host == null) {
                return new LogAck(Svp.STATUS_OK, entries);
            }
            try (PreparedStatement p = c.prepareStatement("SELECT entry_id, entry_type, vnet_id, mac, ip, vlan FROM katar_log"
                    + " WHERE host_id = ? ORDER BY seq")) {
                p.setString(1, host);
                p.setMaxRows(room / Svp.LOG_VL2_SIZE);
                try (ResultSet r = p.executeQuery()) {
                    int used = 0;
                    while (r.next()) {
                        LogEntry e = r.getInt(2) == Svp.LOG_VL2 ? new Vl2Invalidation(r.getBytes(1), r.getLong(4), r.getLong(3))
                                : new Vl3Change(r.getBytes(1), r.getBytes(5), r.getInt(6), r.getLong(3));
                        if (used + e.size() > room) {
                            break;
                        }
                        used += e.size();
                        entries.add(e);
                    }
                }
            }
            return new LogAck(Svp.STATUS_OK, entries);
        });
    }

    /**
     * LOG_RM: removes the entries with these ids (unknown ids are ignored: removal is idempotent)
     * whose host's underlay address {@code mayRemove} accepts, or every one when it is null.
     */
    void logRemove(java.util.function.Predicate<byte[]> mayRemove, List<byte[]> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        db.write(c -> {
            List<byte[]> allowed = ids;
            if (mayRemove != null) {
                allowed = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement("SELECT h.underlay_ip FROM katar_log l"
                        + " JOIN katar_host h ON h.host_id = l.host_id WHERE l.entry_id = ?")) {
                    for (byte[] id : ids) {
                        p.setBytes(1, id);
                        try (ResultSet r = p.executeQuery()) {
                            if (r.next() && mayRemove.test(r.getBytes(1))) {
                                allowed.add(id);
                            }
                        }
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_log WHERE entry_id = ?")) {
                for (byte[] id : allowed) {
                    p.setBytes(1, id);
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    /**
     * BULK_REQ: a page of mappings ordered by (vnet, key), at most {@code maxBytes} of BULK_ACK
     * payload; flag MORE when the page was full.
     */
    BulkAck bulk(BulkRequest req, int maxBytes) throws SQLException {
        if (req.type() != Svp.BULK_VL2 && req.type() != Svp.BULK_VL3) {
            return BulkAck.status(Svp.STATUS_BADBULK, req.type());
        }
        boolean vl2 = req.type() == Svp.BULK_VL2;
        int limit = Math.max(1, (maxBytes - Svp.BULK_ACK_HEADER_SIZE) / BulkAck.entrySize(req.type()));
        StringBuilder sql = new StringBuilder(vl2
                ? "SELECT m.vnet_id, m.mac, h.underlay_ip, h.underlay_port FROM katar_mapping m"
                        + " JOIN katar_host h ON h.host_id = m.host_id WHERE 1 = 1"
                : "SELECT i.vnet_id, i.ip, m.mac, m.vlan, h.underlay_ip, h.underlay_port FROM katar_mapping_ip i"
                        + " JOIN katar_mapping m ON m.vnet_id = i.vnet_id AND m.mac = i.mac"
                        + " JOIN katar_host h ON h.host_id = m.host_id WHERE 1 = 1");
        String t = vl2 ? "m" : "i";
        String key = vl2 ? "m.mac" : "i.ip";
        if (req.vnetOnly()) {
            sql.append(" AND ").append(t).append(".vnet_id = ?");
        }
        if (req.resumes()) {
            sql.append(" AND (").append(t).append(".vnet_id > ? OR (").append(t).append(".vnet_id = ? AND ").append(key).append(" > ?))");
        }
        sql.append(" ORDER BY ").append(t).append(".vnet_id, ").append(key);
        return db.read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                int i = 1;
                if (req.vnetOnly()) {
                    p.setLong(i++, req.vnetId());
                }
                if (req.resumes()) {
                    p.setLong(i++, req.afterVnetId());
                    p.setLong(i++, req.afterVnetId());
                    if (vl2) {
                        p.setLong(i, req.afterMac());
                    } else {
                        p.setBytes(i, req.afterKey());
                    }
                }
                p.setMaxRows(limit + 1);
                List<BulkEntry> entries = new ArrayList<>();
                boolean more = false;
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        if (entries.size() == limit) {
                            more = true;
                            break;
                        }
                        entries.add(vl2 ? new BulkVl2(r.getLong(1), r.getLong(2), r.getInt(4), r.getBytes(3))
                                : new BulkVl3(r.getLong(1), r.getBytes(2), r.getLong(3), r.getInt(4), r.getInt(6), r.getBytes(5)));
                    }
                }
                return new BulkAck(Svp.STATUS_OK, req.type(), more ? Svp.BULK_FLAG_MORE : 0, entries);
            }
        });
    }

    static String hostByIp(Connection c, byte[] ip) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT host_id FROM katar_host WHERE underlay_ip = ?")) {
            p.setBytes(1, ip);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }
}
