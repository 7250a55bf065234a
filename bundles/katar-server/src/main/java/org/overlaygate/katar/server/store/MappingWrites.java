package org.overlaygate.katar.server.store;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.katar.server.store.Keys.Vl2Key;
import org.overlaygate.katar.server.store.Keys.Vl3Key;

/**
 * The writes of the orchestration commands (hosts, mappings, imports), one at a time under a lock,
 * each logging the invalidations it causes, invalidating the read cache and telling the other
 * servers through the {@link ChangeFeed}.
 *
 * <p>Invalidation rule (portolan's, made explicit): whenever the VL2 answer for a MAC changes or
 * disappears (the MAC moves to another host, is removed, or its host's underlay address changes),
 * every host on that vnet gets a VL2 entry; whenever the VL3 answer for an IP changes or
 * disappears (its MAC moves, it moves to another MAC, its VLAN changes, it is removed), every host
 * on that vnet gets a VL3 entry. "Hosts on a vnet" are those owning a mapping in it before or
 * after the change. New mappings log nothing: no host can hold an answer for them.
 *
 * <p>Every write is one transaction: bad input found half-way (an unknown host in the 900th
 * mapping of an import) rolls everything back and surfaces as one {@link IllegalArgumentException}.
 */
final class MappingWrites {
    /** An import touching more keys than this flushes the cache instead of listing them. */
    static final int MAX_LISTED_KEYS = 2000;
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Database db;
    private final ReadCache cache;
    private final int logCap;
    private final ChangeFeed feed;
    private final ReentrantLock writeLock = new ReentrantLock();

    MappingWrites(Database db, ReadCache cache, int logCap, ChangeFeed feed) {
        this.db = db;
        this.cache = cache;
        this.logCap = logCap;
        this.feed = feed;
    }

    /** {@code katar:host-add}: a new host; the same definition again is no change; another is refused. */
    String addHost(String id, InetAddress ip, int port) throws SQLException {
        return write(tx -> tx.upsertHost(id, Addresses.toWire(ip), port, true));
    }

    /** {@code katar:map-add}: a new mapping; the same again is no change; a different one is refused. */
    String addMapping(long vnetId, long mac, String host, int vlan, List<InetAddress> ips) throws SQLException {
        List<byte[]> wire = new ArrayList<>();
        ips.forEach(ip -> wire.add(Addresses.toWire(ip)));
        return write(tx -> tx.putMapping(vnetId, mac, host, vlan, wire, true));
    }

    String removeMapping(long vnetId, long mac) throws SQLException {
        return write(tx -> tx.remove(vnetId, mac));
    }

    String moveMapping(long vnetId, long mac, String host) throws SQLException {
        return write(tx -> tx.move(vnetId, mac, host));
    }

    /**
     * {@code katar:host-remove}: forgets a host and its log. Refused while mappings point at it,
     * unless {@code force}, which removes those mappings first (every host on their vnets is told).
     */
    String removeHost(String id, boolean force) throws SQLException {
        return write(tx -> tx.removeHost(id, force));
    }

    /** {@code katar:import}: vnets, hosts, then mappings, all or nothing; importing twice changes nothing. */
    String importDocument(ImportDocument doc) throws SQLException {
        return write(tx -> {
            int added = 0;
            int changed = 0;
            for (ImportDocument.Vnet v : doc.vnets()) {
                String r = tx.upsertVnet(v.id(), v.name(), v.path());
                added += r.startsWith("added") ? 1 : 0;
                changed += r.startsWith("updated") ? 1 : 0;
            }
            for (ImportDocument.Host h : doc.hosts()) {
                String r = tx.in(h.path(), () -> tx.upsertHost(h.id(), Addresses.toWire(h.ip()), h.port(), false));
                added += r.contains(" added") ? 1 : 0;
                changed += r.contains(" updated") ? 1 : 0;
            }
            for (ImportDocument.Mapping m : doc.mappings()) {
                List<byte[]> wire = new ArrayList<>();
                m.ips().forEach(ip -> wire.add(Addresses.toWire(ip)));
                String r = tx.in(m.path(), () -> tx.putMapping(m.vnetId(), m.mac(), m.host(), m.vlan(), wire, false));
                added += r.contains(" added") ? 1 : 0;
                changed += r.contains(" updated") || r.contains(" moved") ? 1 : 0;
            }
            int total = doc.vnets().size() + doc.hosts().size() + doc.mappings().size();
            return "imported " + doc.vnets().size() + " vnet(s), " + doc.hosts().size() + " host(s), " + doc.mappings().size()
                    + " mapping(s): " + added + " added, " + changed + " changed, " + (total - added - changed) + " unchanged; "
                    + tx.logEntries + " invalidation(s) logged";
        });
    }

    private interface TxWork {
        String run(Tx tx) throws SQLException;
    }

    private interface Step {
        String run() throws SQLException;
    }

    private String write(TxWork work) throws SQLException {
        writeLock.lock();
        try {
            Tx[] last = new Tx[1];
            String result = db.write(c -> {
                Tx tx = new Tx(c);
                last[0] = tx;
                String r = work.run(tx);
                tx.capLogs();
                tx.notifyOthers();
                return r;
            });
            Tx tx = last[0];
            if (tx.flushesAll()) {
                cache.clear();
            } else if (!tx.keys.isEmpty()) {
                cache.invalidate(tx.keys);
            }
            return result;
        } finally {
            writeLock.unlock();
        }
    }


    static String describe(long vnetId, long mac) {
        return "vnet " + vnetId + " mac " + Addresses.formatMac(mac);
    }

    private static String underlay(byte[] ip, int port) {
        String h = Addresses.formatIp(ip);
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }

    private static String ipList(Collection<byte[]> ips) {
        List<String> out = new ArrayList<>();
        ips.forEach(ip -> out.add(Addresses.formatIp(ip)));
        return out.isEmpty() ? "no ips" : String.join(",", out);
    }

    /** The state of one mapping inside a transaction. */
    private record State(String host, int vlan, TreeSet<byte[]> ips) {
    }

    private static TreeSet<byte[]> ipSet(Collection<byte[]> ips) {
        TreeSet<byte[]> s = new TreeSet<>(Arrays::compareUnsigned);
        s.addAll(ips);
        return s;
    }

    /** One write transaction: its connection, the keys it changed, the entries it logged. */
    private final class Tx {
        final Connection c;
        final Set<Object> keys = new LinkedHashSet<>();
        final Set<String> loggedHosts = new TreeSet<>();
        /** A host being removed: nothing is logged for it. */
        String leaving;
        int logEntries;
        int logDropped;

        Tx(Connection c) {
            this.c = c;
        }

        /** Runs a step, prefixing a bad-input message with where in the document it came from. */
        String in(String path, Step step) throws SQLException {
            try {
                return step.run();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
            }
        }

        /** Too many keys to list: every server flushes its whole cache instead. */
        boolean flushesAll() {
            return keys.size() > MAX_LISTED_KEYS;
        }

        void notifyOthers() throws SQLException {
            feed.notifyOthers(c, keys, flushesAll());
        }

        String[] host(String id) throws SQLException {
            try (PreparedStatement p = c.prepareStatement("SELECT underlay_ip, underlay_port FROM katar_host WHERE host_id = ?")) {
                p.setString(1, id);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? new String[] {Addresses.hex(r.getBytes(1)), Integer.toString(r.getInt(2))} : null;
                }
            }
        }

        void requireHost(String id) throws SQLException {
            if (host(id) == null) {
                throw new IllegalArgumentException("no host '" + id + "' (add it with katar:host-add)");
            }
        }

        String upsertHost(String id, byte[] ip, int port, boolean strict) throws SQLException {
            if (id == null || !HOST_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("bad host id '" + id + "': letters, digits, '.', '_', '-', at most 64");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad underlay port " + port + ": must be 1-65535");
            }
            String owner = ProtocolReads.hostByIp(c, ip);
            if (owner != null && !owner.equals(id)) {
                throw new IllegalArgumentException("underlay address " + Addresses.formatIp(ip) + " is already host '" + owner + "'");
            }
            String[] existing = host(id);
            String where = underlay(ip, port);
            if (existing == null) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_host (host_id, underlay_ip, underlay_port) VALUES (?, ?, ?)")) {
                    p.setString(1, id);
                    p.setBytes(2, ip);
                    p.setInt(3, port);
                    p.executeUpdate();
                }
                return "host " + id + " added at " + where;
            }
            if (existing[0].equals(Addresses.hex(ip)) && Integer.parseInt(existing[1]) == port) {
                return "host " + id + " unchanged at " + where;
            }
            String was = underlay(Addresses.unhex(existing[0]), Integer.parseInt(existing[1]));
            if (strict) {
                throw new IllegalArgumentException("host '" + id + "' already exists at " + was + " (katar:import changes it)");
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE katar_host SET underlay_ip = ?, underlay_port = ? WHERE host_id = ?")) {
                p.setBytes(1, ip);
                p.setInt(2, port);
                p.setString(3, id);
                p.executeUpdate();
            }
            // Every VL2 and VL3 answer naming this host changed.
            int before = logEntries;
            try (PreparedStatement p = c.prepareStatement("SELECT vnet_id, mac FROM katar_mapping WHERE host_id = ? ORDER BY vnet_id, mac")) {
                p.setString(1, id);
                List<long[]> owned = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        owned.add(new long[] {r.getLong(1), r.getLong(2)});
                    }
                }
                for (long[] m : owned) {
                    State s = mapping(m[0], m[1]);
                    Set<String> hosts = hostsOn(m[0]);
                    logVl2(hosts, m[0], m[1]);
                    for (byte[] a : s.ips()) {
                        logVl3(hosts, m[0], a, s.vlan());
                    }
                }
            }
            return "host " + id + " updated from " + was + " to " + where + ", " + (logEntries - before) + " invalidation(s) logged";
        }

        String upsertVnet(long vnetId, String name, String path) throws SQLException {
            if (name != null && name.length() > 64) {
                throw new IllegalArgumentException(path + ": vnet name longer than 64 characters");
            }
            try (PreparedStatement p = c.prepareStatement("SELECT name FROM katar_vnet WHERE vnet_id = ?")) {
                p.setLong(1, vnetId);
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        String old = r.getString(1);
                        if (name == null || name.equals(old)) {
                            return "unchanged";
                        }
                        try (PreparedStatement u = c.prepareStatement("UPDATE katar_vnet SET name = ? WHERE vnet_id = ?")) {
                            u.setString(1, name);
                            u.setLong(2, vnetId);
                            u.executeUpdate();
                        }
                        return "updated";
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_vnet (vnet_id, name) VALUES (?, ?)")) {
                p.setLong(1, vnetId);
                p.setString(2, name);
                p.executeUpdate();
            }
            return "added";
        }

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

        void logVl2(Collection<String> hosts, long vnetId, long mac) throws SQLException {
            log(hosts, Svp.LOG_VL2, vnetId, mac, null, null);
        }

        void logVl3(Collection<String> hosts, long vnetId, byte[] ip, int vlan) throws SQLException {
            log(hosts, Svp.LOG_VL3, vnetId, null, ip, vlan);
        }

        private void log(Collection<String> hosts, int type, long vnetId, Long mac, byte[] ip, Integer vlan) throws SQLException {
            if (leaving != null && hosts.contains(leaving)) {
                hosts = new ArrayList<>(hosts);
                hosts.remove(leaving); // its log goes with it
            }
            logEntries += InvalidationLog.append(c, hosts, type, vnetId, mac, ip, vlan);
            loggedHosts.addAll(hosts);
        }

        /** Keeps the log of every host this transaction wrote to within the cap. */
        void capLogs() throws SQLException {
            for (String h : loggedHosts) {
                logDropped += InvalidationLog.cap(c, h, logCap);
            }
        }

        Long ipOwner(long vnetId, byte[] ip) throws SQLException {
            try (PreparedStatement p = c.prepareStatement("SELECT mac FROM katar_mapping_ip WHERE vnet_id = ? AND ip = ?")) {
                p.setLong(1, vnetId);
                p.setBytes(2, ip);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? r.getLong(1) : null;
                }
            }
        }

        String putMapping(long vnetId, long mac, String host, int vlan, List<byte[]> ipList, boolean strict) throws SQLException {
            if (vnetId < 0 || vnetId > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("vnet id " + vnetId + " out of range 0-4294967295");
            }
            if (vlan < 0 || vlan > 4095) {
                throw new IllegalArgumentException("bad vlan " + vlan + ": must be 0-4095");
            }
            if ((mac & 0x0100_0000_0000L) != 0) {
                throw new IllegalArgumentException("mac " + Addresses.formatMac(mac) + " is a group address, not a VNIC's");
            }
            requireHost(host);
            upsertVnet(vnetId, null, "");
            TreeSet<byte[]> ips = ipSet(ipList);
            String what = describe(vnetId, mac);
            State before = mapping(vnetId, mac);
            if (before != null && before.host().equals(host) && before.vlan() == vlan && sameIps(before.ips(), ips)) {
                return what + " unchanged on host " + host;
            }
            if (strict && before != null) {
                throw new IllegalArgumentException(what + " is already mapped (host " + before.host() + ", vlan " + before.vlan() + ", "
                        + ipList(before.ips()) + "): use katar:map-move or katar:map-remove");
            }
            Set<String> hosts = hostsOn(vnetId);
            if (before == null) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_mapping (vnet_id, mac, host_id, vlan) VALUES (?, ?, ?, ?)")) {
                    p.setLong(1, vnetId);
                    p.setLong(2, mac);
                    p.setString(3, host);
                    p.setInt(4, vlan);
                    p.executeUpdate();
                }
            } else if (!before.host().equals(host) || before.vlan() != vlan) {
                try (PreparedStatement p = c.prepareStatement("UPDATE katar_mapping SET host_id = ?, vlan = ?, updated = CURRENT_TIMESTAMP"
                        + " WHERE vnet_id = ? AND mac = ?")) {
                    p.setString(1, host);
                    p.setInt(2, vlan);
                    p.setLong(3, vnetId);
                    p.setLong(4, mac);
                    p.executeUpdate();
                }
            }
            List<byte[]> vl3Changed = new ArrayList<>();
            for (byte[] ip : ips) {
                Long owner = ipOwner(vnetId, ip);
                if (owner == null) {
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO katar_mapping_ip (vnet_id, ip, mac) VALUES (?, ?, ?)")) {
                        p.setLong(1, vnetId);
                        p.setBytes(2, ip);
                        p.setLong(3, mac);
                        p.executeUpdate();
                    }
                } else if (owner != mac) {
                    if (strict) {
                        throw new IllegalArgumentException("ip " + Addresses.formatIp(ip) + " in vnet " + vnetId + " belongs to mac "
                                + Addresses.formatMac(owner) + " (katar:map-remove it there first)");
                    }
                    try (PreparedStatement p = c.prepareStatement("UPDATE katar_mapping_ip SET mac = ? WHERE vnet_id = ? AND ip = ?")) {
                        p.setLong(1, mac);
                        p.setLong(2, vnetId);
                        p.setBytes(3, ip);
                        p.executeUpdate();
                    }
                    vl3Changed.add(ip);
                }
            }
            List<byte[]> dropped = new ArrayList<>();
            if (before != null) {
                for (byte[] ip : before.ips()) {
                    if (!ips.contains(ip)) {
                        try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_mapping_ip WHERE vnet_id = ? AND ip = ?")) {
                            p.setLong(1, vnetId);
                            p.setBytes(2, ip);
                            p.executeUpdate();
                        }
                        dropped.add(ip);
                    }
                }
            }
            hosts.addAll(hostsOn(vnetId));
            boolean moved = before != null && !before.host().equals(host);
            boolean vlanChanged = before != null && before.vlan() != vlan;
            int logged = logEntries;
            if (moved) {
                logVl2(hosts, vnetId, mac);
            }
            TreeSet<byte[]> vl3 = ipSet(vl3Changed);
            if (moved || vlanChanged) {
                vl3.addAll(ips);
            }
            for (byte[] ip : vl3) {
                logVl3(hosts, vnetId, ip, vlan);
            }
            for (byte[] ip : dropped) {
                logVl3(hosts, vnetId, ip, before.vlan());
            }
            keys.add(new Vl2Key(vnetId, mac));
            for (byte[] ip : ips) {
                keys.add(Vl3Key.of(vnetId, ip));
            }
            for (byte[] ip : dropped) {
                keys.add(Vl3Key.of(vnetId, ip));
            }
            String summary;
            if (before == null) {
                summary = what + " added on host " + host + " (vlan " + vlan + ", " + ipList(ips) + ")";
            } else if (moved) {
                summary = what + " moved from host " + before.host() + " to " + host;
            } else {
                summary = what + " updated on host " + host + " (vlan " + vlan + ", " + ipList(ips) + ")";
            }
            int n = logEntries - logged;
            return n == 0 ? summary : summary + ", " + n + " invalidation(s) logged";
        }

        String remove(long vnetId, long mac) throws SQLException {
            String what = describe(vnetId, mac);
            State before = mapping(vnetId, mac);
            if (before == null) {
                throw new IllegalArgumentException("no mapping for " + what);
            }
            Set<String> hosts = hostsOn(vnetId);
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
            int logged = logEntries;
            logVl2(hosts, vnetId, mac);
            for (byte[] ip : before.ips()) {
                logVl3(hosts, vnetId, ip, before.vlan());
                keys.add(Vl3Key.of(vnetId, ip));
            }
            keys.add(new Vl2Key(vnetId, mac));
            return what + " removed from host " + before.host() + ", " + (logEntries - logged) + " invalidation(s) logged";
        }

        String removeHost(String id, boolean force) throws SQLException {
            if (host(id) == null) {
                throw new IllegalArgumentException("no host '" + id + "'");
            }
            List<long[]> owned = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT vnet_id, mac FROM katar_mapping WHERE host_id = ? ORDER BY vnet_id, mac")) {
                p.setString(1, id);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        owned.add(new long[] {r.getLong(1), r.getLong(2)});
                    }
                }
            }
            if (!owned.isEmpty() && !force) {
                List<String> some = new ArrayList<>();
                for (long[] m : owned.subList(0, Math.min(3, owned.size()))) {
                    some.add(describe(m[0], m[1]));
                }
                throw new IllegalArgumentException("host " + id + " still owns " + owned.size() + " mapping(s) (" + String.join(", ", some)
                        + (owned.size() > 3 ? ", ..." : "") + "): move or remove them first, or katar:host-remove -f " + id
                        + " removes them too");
            }
            int logged = logEntries;
            leaving = id;
            for (long[] m : owned) {
                remove(m[0], m[1]);
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_log WHERE host_id = ?")) {
                p.setString(1, id);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM katar_host WHERE host_id = ?")) {
                p.setString(1, id);
                p.executeUpdate();
            }
            return "host " + id + " removed" + (owned.isEmpty() ? ""
                    : " with its " + owned.size() + " mapping(s), " + (logEntries - logged) + " invalidation(s) logged");
        }

        String move(long vnetId, long mac, String host) throws SQLException {
            String what = describe(vnetId, mac);
            State before = mapping(vnetId, mac);
            if (before == null) {
                throw new IllegalArgumentException("no mapping for " + what);
            }
            requireHost(host);
            if (before.host().equals(host)) {
                return what + " already on host " + host;
            }
            return putMapping(vnetId, mac, host, before.vlan(), new ArrayList<>(before.ips()), false);
        }
    }

    private static boolean sameIps(TreeSet<byte[]> a, TreeSet<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Comparator<byte[]> cmp = Arrays::compareUnsigned;
        var ia = a.iterator();
        var ib = b.iterator();
        while (ia.hasNext()) {
            if (cmp.compare(ia.next(), ib.next()) != 0) {
                return false;
            }
        }
        return true;
    }
}
