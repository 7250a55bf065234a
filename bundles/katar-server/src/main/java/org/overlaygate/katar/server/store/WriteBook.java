package org.overlaygate.katar.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

import org.overlaygate.katar.protocol.Svp;

/**
 * The bookkeeping of one write transaction: the read-cache keys it changed (invalidated here and,
 * through the {@link ChangeFeed}, at the other servers once it commits), the invalidations it logged
 * and for which hosts (whose logs are then kept within their cap), and the host being removed, for
 * which nothing is logged.
 */
final class WriteBook {
    private final Connection c;
    final Set<Object> keys = new LinkedHashSet<>();
    private final Set<String> loggedHosts = new TreeSet<>();
    /** A host being removed: nothing is logged for it. */
    String leaving;
    /** Entries logged so far. */
    int logEntries;

    WriteBook(Connection c) {
        this.c = c;
    }

    void key(Object k) {
        keys.add(k);
    }

    /** Too many keys to list: every server flushes its whole cache instead. */
    boolean flushesAll() {
        return keys.size() > MappingWrites.MAX_LISTED_KEYS;
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

    /** Keeps the log of every host this transaction wrote to within {@code logCap}. */
    void capLogs(int logCap) throws SQLException {
        for (String h : loggedHosts) {
            InvalidationLog.cap(c, h, logCap);
        }
    }

    /** Tells the other servers, within the transaction (NOTIFY is delivered at commit). */
    void notifyOthers(ChangeFeed feed) throws SQLException {
        feed.notifyOthers(c, keys, flushesAll());
    }
}
