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
 * A transaction's parts: its rules (here, {@code Tx}), its rows ({@link MappingSql}) and its
 * bookkeeping of changed keys and logged entries ({@link WriteBook}).
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
                    + tx.book.logEntries + " invalidation(s) logged";
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
                tx.book.capLogs(logCap);
                tx.book.notifyOthers(feed);
                return r;
            });
            WriteBook book = last[0].book;
            if (book.flushesAll()) {
                cache.clear();
            } else if (!book.keys.isEmpty()) {
                cache.invalidate(book.keys);
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

    /**
     * One write transaction's rules: what may change and what each change invalidates. The rows
     * are {@link MappingSql}'s, the keys and log entries {@link WriteBook}'s.
     */
    private final class Tx {
        final MappingSql sql;
        final WriteBook book;

        Tx(Connection c) {
            this.sql = new MappingSql(c);
            this.book = new WriteBook(c);
        }

        /** Runs a step, prefixing a bad-input message with where in the document it came from. */
        String in(String path, Step step) throws SQLException {
            try {
                return step.run();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
            }
        }

        void requireHost(String id) throws SQLException {
            if (sql.host(id) == null) {
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
            String owner = sql.hostByIp(ip);
            if (owner != null && !owner.equals(id)) {
                throw new IllegalArgumentException("underlay address " + Addresses.formatIp(ip) + " is already host '" + owner + "'");
            }
            String[] existing = sql.host(id);
            String where = underlay(ip, port);
            if (existing == null) {
                sql.insertHost(id, ip, port);
                return "host " + id + " added at " + where;
            }
            if (existing[0].equals(Addresses.hex(ip)) && Integer.parseInt(existing[1]) == port) {
                return "host " + id + " unchanged at " + where;
            }
            String was = underlay(Addresses.unhex(existing[0]), Integer.parseInt(existing[1]));
            if (strict) {
                throw new IllegalArgumentException("host '" + id + "' already exists at " + was + " (katar:import changes it)");
            }
            sql.updateHost(id, ip, port);
            // Every VL2 and VL3 answer naming this host changed.
            int before = book.logEntries;
            for (long[] m : sql.mappingsOf(id)) {
                MappingSql.State s = sql.mapping(m[0], m[1]);
                Set<String> hosts = sql.hostsOn(m[0]);
                book.logVl2(hosts, m[0], m[1]);
                for (byte[] a : s.ips()) {
                    book.logVl3(hosts, m[0], a, s.vlan());
                }
            }
            return "host " + id + " updated from " + was + " to " + where + ", " + (book.logEntries - before) + " invalidation(s) logged";
        }

        String upsertVnet(long vnetId, String name, String path) throws SQLException {
            if (name != null && name.length() > 64) {
                throw new IllegalArgumentException(path + ": vnet name longer than 64 characters");
            }
            String[] old = sql.vnet(vnetId);
            if (old != null) {
                if (name == null || name.equals(old[0])) {
                    return "unchanged";
                }
                sql.renameVnet(vnetId, name);
                return "updated";
            }
            sql.insertVnet(vnetId, name);
            return "added";
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
            TreeSet<byte[]> ips = MappingSql.ipSet(ipList);
            String what = describe(vnetId, mac);
            MappingSql.State before = sql.mapping(vnetId, mac);
            if (before != null && before.host().equals(host) && before.vlan() == vlan && sameIps(before.ips(), ips)) {
                return what + " unchanged on host " + host;
            }
            if (strict && before != null) {
                throw new IllegalArgumentException(what + " is already mapped (host " + before.host() + ", vlan " + before.vlan() + ", "
                        + ipList(before.ips()) + "): use katar:map-move or katar:map-remove");
            }
            Set<String> hosts = sql.hostsOn(vnetId);
            if (before == null) {
                sql.insertMapping(vnetId, mac, host, vlan);
            } else if (!before.host().equals(host) || before.vlan() != vlan) {
                sql.updateMapping(vnetId, mac, host, vlan);
            }
            List<byte[]> vl3Changed = new ArrayList<>();
            for (byte[] ip : ips) {
                Long owner = sql.ipOwner(vnetId, ip);
                if (owner == null) {
                    sql.insertIp(vnetId, ip, mac);
                } else if (owner != mac) {
                    if (strict) {
                        throw new IllegalArgumentException("ip " + Addresses.formatIp(ip) + " in vnet " + vnetId + " belongs to mac "
                                + Addresses.formatMac(owner) + " (katar:map-remove it there first)");
                    }
                    sql.reassignIp(vnetId, ip, mac);
                    vl3Changed.add(ip);
                }
            }
            List<byte[]> dropped = new ArrayList<>();
            if (before != null) {
                for (byte[] ip : before.ips()) {
                    if (!ips.contains(ip)) {
                        sql.deleteIp(vnetId, ip);
                        dropped.add(ip);
                    }
                }
            }
            hosts.addAll(sql.hostsOn(vnetId));
            boolean moved = before != null && !before.host().equals(host);
            boolean vlanChanged = before != null && before.vlan() != vlan;
            int logged = book.logEntries;
            if (moved) {
                book.logVl2(hosts, vnetId, mac);
            }
            TreeSet<byte[]> vl3 = MappingSql.ipSet(vl3Changed);
            if (moved || vlanChanged) {
                vl3.addAll(ips);
            }
            for (byte[] ip : vl3) {
                book.logVl3(hosts, vnetId, ip, vlan);
            }
            for (byte[] ip : dropped) {
                book.logVl3(hosts, vnetId, ip, before.vlan());
            }
            book.key(new Vl2Key(vnetId, mac));
            for (byte[] ip : ips) {
                book.key(Vl3Key.of(vnetId, ip));
            }
            for (byte[] ip : dropped) {
                book.key(Vl3Key.of(vnetId, ip));
            }
            String summary;
            if (before == null) {
                summary = what + " added on host " + host + " (vlan " + vlan + ", " + ipList(ips) + ")";
            } else if (moved) {
                summary = what + " moved from host " + before.host() + " to " + host;
            } else {
                summary = what + " updated on host " + host + " (vlan " + vlan + ", " + ipList(ips) + ")";
            }
            int n = book.logEntries - logged;
            return n == 0 ? summary : summary + ", " + n + " invalidation(s) logged";
        }

        String remove(long vnetId, long mac) throws SQLException {
            String what = describe(vnetId, mac);
            MappingSql.State before = sql.mapping(vnetId, mac);
            if (before == null) {
                throw new IllegalArgumentException("no mapping for " + what);
            }
            Set<String> hosts = sql.hostsOn(vnetId);
            sql.deleteMapping(vnetId, mac);
            int logged = book.logEntries;
            book.logVl2(hosts, vnetId, mac);
            for (byte[] ip : before.ips()) {
                book.logVl3(hosts, vnetId, ip, before.vlan());
                book.key(Vl3Key.of(vnetId, ip));
            }
            book.key(new Vl2Key(vnetId, mac));
            return what + " removed from host " + before.host() + ", " + (book.logEntries - logged) + " invalidation(s) logged";
        }

        String removeHost(String id, boolean force) throws SQLException {
            if (sql.host(id) == null) {
                throw new IllegalArgumentException("no host '" + id + "'");
            }
            List<long[]> owned = sql.mappingsOf(id);
            if (!owned.isEmpty() && !force) {
                List<String> some = new ArrayList<>();
                for (long[] m : owned.subList(0, Math.min(3, owned.size()))) {
                    some.add(describe(m[0], m[1]));
                }
                throw new IllegalArgumentException("host " + id + " still owns " + owned.size() + " mapping(s) (" + String.join(", ", some)
                        + (owned.size() > 3 ? ", ..." : "") + "): move or remove them first, or katar:host-remove -f " + id
                        + " removes them too");
            }
            int logged = book.logEntries;
            book.leaving = id;
            for (long[] m : owned) {
                remove(m[0], m[1]);
            }
            sql.deleteHost(id);
            return "host " + id + " removed" + (owned.isEmpty() ? ""
                    : " with its " + owned.size() + " mapping(s), " + (book.logEntries - logged) + " invalidation(s) logged");
        }

        String move(long vnetId, long mac, String host) throws SQLException {
            String what = describe(vnetId, mac);
            MappingSql.State before = sql.mapping(vnetId, mac);
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
