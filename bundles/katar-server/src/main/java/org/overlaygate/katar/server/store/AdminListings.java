package org.overlaygate.katar.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.overlaygate.katar.protocol.Addresses;

/**
 * What the operator's commands list: the schema version, hosts, vnets, mappings and pending log
 * lines, read straight from the database (never through the read cache).
 */
final class AdminListings {
    private final Database db;

    AdminListings(Database db) {
        this.db = db;
    }

    int schemaVersion() throws SQLException {
        return db.read(Migrations::version);
    }

    List<Rows.Host> hosts() throws SQLException {
        return db.read(c -> {
            List<Rows.Host> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT h.host_id, h.underlay_ip, h.underlay_port,"
                    + " (SELECT COUNT(*) FROM katar_mapping m WHERE m.host_id = h.host_id),"
                    + " (SELECT COUNT(*) FROM katar_log l WHERE l.host_id = h.host_id), h.log_dropped"
                    + " FROM katar_host h ORDER BY h.host_id")) {
                while (r.next()) {
                    out.add(new Rows.Host(r.getString(1), r.getBytes(2), r.getInt(3), r.getLong(4), r.getLong(5), r.getLong(6)));
                }
            }
            return out;
        });
    }

    List<Rows.Vnet> vnets() throws SQLException {
        return db.read(c -> {
            List<Rows.Vnet> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT v.vnet_id, v.name,"
                    + " (SELECT COUNT(*) FROM katar_mapping m WHERE m.vnet_id = v.vnet_id),"
                    + " (SELECT COUNT(DISTINCT m.host_id) FROM katar_mapping m WHERE m.vnet_id = v.vnet_id)"
                    + " FROM katar_vnet v ORDER BY v.vnet_id")) {
                while (r.next()) {
                    out.add(new Rows.Vnet(r.getLong(1), r.getString(2), r.getLong(3), r.getLong(4)));
                }
            }
            return out;
        });
    }

    /** Every mapping, or those of one vnet, ordered by vnet and MAC. */
    List<Rows.Mapping> mappings(Long vnetId) throws SQLException {
        return db.read(c -> {
            Map<String, List<byte[]>> ips = new LinkedHashMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT vnet_id, mac, ip FROM katar_mapping_ip"
                    + (vnetId == null ? "" : " WHERE vnet_id = ?") + " ORDER BY vnet_id, mac, ip")) {
                if (vnetId != null) {
                    p.setLong(1, vnetId);
                }
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        ips.computeIfAbsent(r.getLong(1) + "/" + r.getLong(2), k -> new ArrayList<>()).add(r.getBytes(3));
                    }
                }
            }
            List<Rows.Mapping> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT m.vnet_id, m.mac, m.host_id, h.underlay_ip, h.underlay_port, m.vlan"
                    + " FROM katar_mapping m JOIN katar_host h ON h.host_id = m.host_id"
                    + (vnetId == null ? "" : " WHERE m.vnet_id = ?") + " ORDER BY m.vnet_id, m.mac")) {
                if (vnetId != null) {
                    p.setLong(1, vnetId);
                }
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new Rows.Mapping(r.getLong(1), r.getLong(2), r.getString(3), r.getBytes(4), r.getInt(5), r.getInt(6),
                                ips.getOrDefault(r.getLong(1) + "/" + r.getLong(2), List.of())));
                    }
                }
            }
            return out;
        });
    }

    /** Pending invalidations, oldest first, at most {@code limit}. */
    List<Rows.LogLine> logLines(int limit) throws SQLException {
        return db.read(c -> {
            List<Rows.LogLine> out = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                s.setMaxRows(limit);
                try (ResultSet r = s.executeQuery("SELECT host_id, entry_id, entry_type, vnet_id, mac, ip, vlan FROM katar_log ORDER BY seq")) {
                    while (r.next()) {
                        long mac = r.getLong(5);
                        Long m = r.wasNull() ? null : mac;
                        int vlan = r.getInt(7);
                        Integer v = r.wasNull() ? null : vlan;
                        out.add(new Rows.LogLine(r.getString(1), Addresses.hex(r.getBytes(2)), r.getInt(3), r.getLong(4), m, r.getBytes(6), v));
                    }
                }
            }
            return out;
        });
    }
}
