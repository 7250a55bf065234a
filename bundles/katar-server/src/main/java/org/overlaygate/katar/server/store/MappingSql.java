package org.overlaygate.katar.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.overlaygate.katar.protocol.Addresses;

/**
 * The rows the mapping writes read and change, on one transaction's connection: SQL and nothing
 * else (no rule about what may change, nothing logged). {@link MappingWrites} decides, with it.
 */
final class MappingSql {
    /** One mapping as stored: its host, VLAN and IP addresses (wire form, ordered). */
    record State(String host, int vlan, TreeSet<byte[]> ips) {
    }

    private final Connection c;

    MappingSql(Connection c) {
        this.c = c;
    }

    Connection connection() {
        return c;
    }

    static TreeSet<byte[]> ipSet(Collection<byte[]> ips) {
        TreeSet<byte[]> s = new TreeSet<>(Arrays::compareUnsigned);
        s.addAll(ips);
        return s;
    }

    /** A host's underlay address (hex) and port, or null when there is no such host. */
    String[] host(String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT underlay_ip, underlay_port FROM katar_host WHERE host_id = ?")) {
            p.setString(1, id);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? new String[] {Addresses.hex(r.getBytes(1)), Integer.toString(r.getInt(2))} : null;
            }
        }
    }

    String hostByIp(byte[] ip) throws SQLException {
        return ProtocolReads.hostByIp(c, ip);
    }

    void insertHost(String id, byte[] ip, int port) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_host (host_id, underlay_ip, underlay_port) VALUES (?, ?, ?)")) {
            p.setString(1, id);
            p.setBytes(2, ip);
            p.setInt(3, port);
            p.executeUpdate();
        }
    }

    void updateHost(String id, byte[] ip, int port) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE katar_host SET underlay_ip = ?, underlay_port = ? WHERE host_id = ?")) {
            p.setBytes(1, ip);
            p.setInt(2, port);
            p.setString(3, id);
            p.executeUpdate();
        }
    }

    /** The host and its log. */
    void deleteHost(String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_log WHERE host_id = ?")) {
            p.setString(1, id);
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_host WHERE host_id = ?")) {
            p.setString(1, id);
            p.executeUpdate();
        }
    }

    /** The (vnet, mac) of every mapping on a host, in order. */
    List<long[]> mappingsOf(String host) throws SQLException {
        List<long[]> owned = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT vnet_id, mac FROM katar_mapping WHERE host_id = ? ORDER BY vnet_id, mac")) {
            p.setString(1, host);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    owned.add(new long[] {r.getLong(1), r.getLong(2)});
                }
            }
        }
        return owned;
    }

    /** A vnet's name as a one-element array (the name may be null), or null when there is no such vnet. */
    String[] vnet(long vnetId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT name FROM katar_vnet WHERE vnet_id = ?")) {
            p.setLong(1, vnetId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? new String[] {r.getString(1)} : null;
            }
        }
    }

    void renameVnet(long vnetId, String name) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("UPDATE katar_vnet SET name = ? WHERE vnet_id = ?")) {
            u.setString(1, name);
            u.setLong(2, vnetId);
            u.executeUpdate();
        }
    }

    void insertVnet(long vnetId, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_vnet (vnet_id, name) VALUES (?, ?)")) {
            p.setLong(1, vnetId);
            p.setString(2, name);
            p.executeUpdate();
        }
    }

    /** A mapping, its row locked for the transaction, or null. */
    State mapping(long vnetId, long mac) throws SQLException {
        String host;
        int vlan;
        try (PreparedStatement p = c.prepareStatement("SELECT host_id, vlan FROM katar_mapping WHERE vnet_id = ? AND mac = ? FOR UPDATE")) {
            p.setLong(1, vnetId);
            p.setLong(2, mac);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                host = r.getString(1);
                vlan = r.getInt(2);
            }
        }
        TreeSet<byte[]> ips = ipSet(List.of());
        try (PreparedStatement p = c.prepareStatement("SELECT ip FROM katar_mapping_ip WHERE vnet_id = ? AND mac = ?")) {
            p.setLong(1, vnetId);
            p.setLong(2, mac);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ips.add(r.getBytes(1));
                }
            }
        }
        return new State(host, vlan, ips);
    }

    /** The hosts owning a mapping in a vnet. */
    Set<String> hostsOn(long vnetId) throws SQLException {
        Set<String> hosts = new TreeSet<>();
        try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT host_id FROM katar_mapping WHERE vnet_id = ?")) {
            p.setLong(1, vnetId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    hosts.add(r.getString(1));
                }
            }
        }
        return hosts;
    }

    void insertMapping(long vnetId, long mac, String host, int vlan) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_mapping (vnet_id, mac, host_id, vlan) VALUES (?, ?, ?, ?)")) {
            p.setLong(1, vnetId);
            p.setLong(2, mac);
            p.setString(3, host);
            p.setInt(4, vlan);
            p.executeUpdate();
        }
    }

    void updateMapping(long vnetId, long mac, String host, int vlan) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE katar_mapping SET host_id = ?, vlan = ?, updated = CURRENT_TIMESTAMP"
                + " WHERE vnet_id = ? AND mac = ?")) {
            p.setString(1, host);
            p.setInt(2, vlan);
            p.setLong(3, vnetId);
            p.setLong(4, mac);
            p.executeUpdate();
        }
    }

    /** A mapping and its IP addresses. */
    void deleteMapping(long vnetId, long mac) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_mapping_ip WHERE vnet_id = ? AND mac = ?")) {
            p.setLong(1, vnetId);
            p.setLong(2, mac);
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_mapping WHERE vnet_id = ? AND mac = ?")) {
            p.setLong(1, vnetId);
            p.setLong(2, mac);
            p.executeUpdate();
        }
    }

    /** The MAC an IP address of a vnet belongs to, or null. */
    Long ipOwner(long vnetId, byte[] ip) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT mac FROM katar_mapping_ip WHERE vnet_id = ? AND ip = ?")) {
            p.setLong(1, vnetId);
            p.setBytes(2, ip);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getLong(1) : null;
            }
        }
    }

    void insertIp(long vnetId, byte[] ip, long mac) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_mapping_ip (vnet_id, ip, mac) VALUES (?, ?, ?)")) {
            p.setLong(1, vnetId);
            p.setBytes(2, ip);
            p.setLong(3, mac);
            p.executeUpdate();
        }
    }

    void reassignIp(long vnetId, byte[] ip, long mac) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE katar_mapping_ip SET mac = ? WHERE vnet_id = ? AND ip = ?")) {
            p.setLong(1, mac);
            p.setLong(2, vnetId);
            p.setBytes(3, ip);
            p.executeUpdate();
        }
    }

    void deleteIp(long vnetId, byte[] ip) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_mapping_ip WHERE vnet_id = ? AND ip = ?")) {
            p.setLong(1, vnetId);
            p.setBytes(2, ip);
            p.executeUpdate();
        }
    }
}
