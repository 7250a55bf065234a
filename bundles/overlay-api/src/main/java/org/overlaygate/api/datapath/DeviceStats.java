package org.overlaygate.api.datapath;

import java.util.List;
import java.util.Map;

/** Counters of a device and its VNICs at one moment, for {@code overlay:stats}. Immutable. */
public final class DeviceStats {
    private final String device;
    private final Counters counters;
    private final long cacheHits;
    private final long cacheMisses;
    private final int cacheEntries;
    private final int pendingFrames;
    private final List<Counters> vnics;
    private final Map<String, Long> events;

    public DeviceStats(String device, Counters counters, long cacheHits, long cacheMisses, int cacheEntries, int pendingFrames,
            List<Counters> vnics, Map<String, Long> events) {
        this.device = device;
        this.counters = counters;
        this.cacheHits = cacheHits;
        this.cacheMisses = cacheMisses;
        this.cacheEntries = cacheEntries;
        this.pendingFrames = pendingFrames;
        this.vnics = List.copyOf(vnics);
        this.events = Map.copyOf(events);
    }

    /**
     * What happened in the device's cache and upcall channel, by name: {@code learned},
     * {@code moved}, {@code aged_out}, {@code refreshed}, {@code proxied}, {@code address_requests},
     * {@code not_here_reports}, {@code invalidated}, {@code upcall_dropped_*}, and events the lookup
     * side counts through {@link OverlayDevice#countEvent}.
     */
    public Map<String, Long> events() {
        return events;
    }

    public long event(String name) {
        return events.getOrDefault(name, 0L);
    }

    public String device() {
        return device;
    }

    /** The device's own counters: "in" from the underlay, "out" to the underlay. */
    public Counters counters() {
        return counters;
    }

    public long cacheHits() {
        return cacheHits;
    }

    public long cacheMisses() {
        return cacheMisses;
    }

    public int cacheEntries() {
        return cacheEntries;
    }

    /** Frames waiting on PENDING entries now. */
    public int pendingFrames() {
        return pendingFrames;
    }

    /** Per VNIC: "in" from the VNIC's VM, "out" delivered to it. */
    public List<Counters> vnics() {
        return vnics;
    }

    /** Packet and byte counters of one device or VNIC, with drops by reason. */
    public static final class Counters {
        private final String name;
        private final long packetsIn;
        private final long bytesIn;
        private final long packetsOut;
        private final long bytesOut;
        private final Map<String, Long> drops;

        public Counters(String name, long packetsIn, long bytesIn, long packetsOut, long bytesOut, Map<String, Long> drops) {
            this.name = name;
            this.packetsIn = packetsIn;
            this.bytesIn = bytesIn;
            this.packetsOut = packetsOut;
            this.bytesOut = bytesOut;
            this.drops = Map.copyOf(drops);
        }

        public String name() {
            return name;
        }

        public long packetsIn() {
            return packetsIn;
        }

        public long bytesIn() {
            return bytesIn;
        }

        public long packetsOut() {
            return packetsOut;
        }

        public long bytesOut() {
            return bytesOut;
        }

        /** Dropped frames by reason ({@code no_destination}, {@code pending_full}, ...). */
        public Map<String, Long> drops() {
            return drops;
        }

        public long totalDrops() {
            return drops.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
