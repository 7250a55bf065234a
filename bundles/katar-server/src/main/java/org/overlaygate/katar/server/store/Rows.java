package org.overlaygate.katar.server.store;

import java.util.List;

/** What the administrative listings read from the database. */
public final class Rows {
    private Rows() {
    }

    /**
     * A host: its id, underlay address and port, how many mappings it owns, its pending log, and how
     * many log entries were dropped because it did not read them (the log cap).
     */
    public record Host(String id, byte[] ip, int port, long mappings, long logEntries, long logDropped) {
    }

    /** A MAC mapping with its IPs (16-byte wire forms). */
    public record Mapping(long vnetId, long mac, String host, byte[] underlayIp, int underlayPort, int vlan, List<byte[]> ips) {
    }

    /** A vnet with its counts. */
    public record Vnet(long vnetId, String name, long mappings, long hosts) {
    }

    /** One pending invalidation, for {@code katar:show log}. */
    public record LogLine(String host, String id, int type, long vnetId, Long mac, byte[] ip, Integer vlan) {
        /** An overflow entry: older entries of this vnet were dropped, the host must re-read it (BULK). */
        public boolean overflow() {
            return InvalidationLog.isOverflow(type, mac);
        }
    }
}
