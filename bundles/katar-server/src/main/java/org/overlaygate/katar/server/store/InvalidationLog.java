package org.overlaygate.katar.server.store;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

import org.overlaygate.katar.protocol.Svp;

/**
 * The per-host invalidation log inside a write transaction: appending entries, and keeping each
 * host's log within its cap.
 *
 * <p>A host that stops reading its log (it is down, or gone without {@code katar:host-remove})
 * would otherwise grow it without bound. Past {@code cap} entries the oldest are deleted, counted in
 * the host's {@code log_dropped}, and replaced by one <em>overflow</em> entry per vnet that lost
 * some (ext): a VL2 invalidation of the broadcast MAC {@code ff:ff:ff:ff:ff:ff}, which tells the
 * host that invalidations of that vnet were lost and it must re-read the vnet's mappings (BULK).
 * A client that does not know the convention merely forgets a cache entry no frame uses. Overflow
 * entries do not count against the cap and are never doubled: one per host and vnet at most.
 */
final class InvalidationLog {
    /** The MAC of an overflow entry: the broadcast address, never a VNIC's. */
    static final long OVERFLOW_MAC = 0xFFFF_FFFF_FFFFL;
    private static final String IS_OVERFLOW = "entry_type = " + Svp.LOG_VL2 + " AND mac = " + OVERFLOW_MAC;

    private InvalidationLog() {
    }

    /** A fresh random entry id (16 bytes). */
    static byte[] newId() {
        UUID u = UUID.randomUUID();
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }

    /** Appends one entry to the log of each host; returns how many were appended. */
    static int append(Connection c, Collection<String> hosts, int type, long vnetId, Long mac, byte[] ip, Integer vlan)
            throws SQLException {
        if (hosts.isEmpty()) {
            return 0;
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_log (entry_id, host_id, entry_type, vnet_id, mac, ip, vlan)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (String h : hosts) {
                p.setBytes(1, newId());
                p.setString(2, h);
                p.setInt(3, type);
                p.setLong(4, vnetId);
                if (mac == null) {
                    p.setNull(5, Types.BIGINT);
                } else {
                    p.setLong(5, mac);
                }
                if (ip == null) {
                    p.setNull(6, Types.BINARY);
                } else {
                    p.setBytes(6, ip);
                }
                if (vlan == null) {
                    p.setNull(7, Types.INTEGER);
                } else {
                    p.setInt(7, vlan);
                }
                p.addBatch();
            }
            p.executeBatch();
        }
        return hosts.size();
    }

    /**
     * Brings the host's log back within {@code cap} entries (overflow entries aside): deletes the
     * oldest, adds an overflow entry for each vnet that lost some and has none yet, and adds the
     * count to the host's {@code log_dropped}. Returns how many entries were dropped.
     */
    static int cap(Connection c, String host, int cap) throws SQLException {
        long entries;
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM katar_log WHERE host_id = ? AND NOT (" + IS_OVERFLOW + ")")) {
            p.setString(1, host);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                entries = r.getLong(1);
            }
        }
        if (entries <= cap) {
            return 0;
        }
        int excess = (int) Math.min(entries - cap, Integer.MAX_VALUE);
        List<Long> seqs = new ArrayList<>(excess);
        TreeSet<Long> vnets = new TreeSet<>();
        try (PreparedStatement p = c.prepareStatement("SELECT seq, vnet_id FROM katar_log WHERE host_id = ? AND NOT (" + IS_OVERFLOW
                + ") ORDER BY seq")) {
            p.setString(1, host);
            p.setMaxRows(excess);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    seqs.add(r.getLong(1));
                    vnets.add(r.getLong(2));
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_log WHERE seq = ?")) {
            for (long seq : seqs) {
                p.setLong(1, seq);
                p.addBatch();
            }
            p.executeBatch();
        }
        for (long vnet : vnets) {
            if (!hasOverflow(c, host, vnet)) {
                append(c, List.of(host), Svp.LOG_VL2, vnet, OVERFLOW_MAC, null, null);
            }
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE katar_host SET log_dropped = log_dropped + ? WHERE host_id = ?")) {
            p.setLong(1, seqs.size());
            p.setString(2, host);
            p.executeUpdate();
        }
        return seqs.size();
    }

    private static boolean hasOverflow(Connection c, String host, long vnet) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM katar_log WHERE host_id = ? AND vnet_id = ? AND " + IS_OVERFLOW)) {
            p.setString(1, host);
            p.setLong(2, vnet);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    /** Whether a log row (type, mac) is an overflow entry. */
    static boolean isOverflow(int type, Long mac) {
        return type == Svp.LOG_VL2 && mac != null && mac == OVERFLOW_MAC;
    }
}
