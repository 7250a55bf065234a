package org.overlaygate.api.datapath;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.overlaygate.api.search.SearchMode;

/**
 * What a device is made of, encapsulation included: the data path binds the device to the newest
 * registered encapsulation plugin of that name itself, with these properties, and re-binds it when
 * the plugin is replaced. Immutable; build with {@link #builder(String, long)}.
 */
public final class DeviceConfig {
    /** Default per-entry pending queue bound: 128 KiB. */
    public static final int DEFAULT_PENDING_BYTES_PER_ENTRY = 128 * 1024;
    /** Default bound on a device's target cache entries. */
    public static final int DEFAULT_CACHE_MAX = 65536;

    private final String name;
    private final long vnetId;
    private final int mtu;
    private final SearchMode mode;
    private final int cacheMax;
    private final int pendingBytesPerEntry;
    private final String encapsulation;
    private final Map<String, String> encapsulationProperties;
    private final boolean peersOnly;

    private DeviceConfig(Builder b) {
        this.name = b.name;
        this.vnetId = b.vnetId;
        this.mtu = b.mtu;
        this.mode = b.mode;
        this.cacheMax = b.cacheMax;
        this.pendingBytesPerEntry = b.pendingBytesPerEntry;
        this.encapsulation = b.encapsulation;
        this.encapsulationProperties = Map.copyOf(b.encapsulationProperties);
        this.peersOnly = b.peersOnly;
    }

    public static Builder builder(String name, long vnetId) {
        return new Builder(name, vnetId);
    }

    public String name() {
        return name;
    }

    public long vnetId() {
        return vnetId;
    }

    /** MTU of the inner frames' payload, as on the VNICs. */
    public int mtu() {
        return mtu;
    }

    public SearchMode mode() {
        return mode;
    }

    /** Most target cache entries kept; beyond it the least recently used are evicted. */
    public int cacheMax() {
        return cacheMax;
    }

    /** Most bytes of frames queued on one PENDING entry. */
    public int pendingBytesPerEntry() {
        return pendingBytesPerEntry;
    }

    /** The encapsulation plugin's name ({@code vxlan}). */
    public String encapsulation() {
        return encapsulation;
    }

    /** The encapsulation's properties as the operator gave them, names prefixed by the plugin's ({@code vxlan/listen_ip}). */
    public Map<String, String> encapsulationProperties() {
        return encapsulationProperties;
    }

    /**
     * Whether frames from the underlay are accepted only from senders the overlay knows (the
     * overlay property {@code accept=peers}): the point destination, a unicast flood target, or the
     * address the target cache holds for the frame's inner source MAC. Otherwise ({@code accept=any},
     * the default, as Linux, Open vSwitch and illumos do) any sender that knows the vnet id is
     * accepted.
     */
    public boolean acceptsPeersOnly() {
        return peersOnly;
    }

    /** Builds a {@link DeviceConfig}. */
    public static final class Builder {
        private final String name;
        private final long vnetId;
        private int mtu = 1400;
        private SearchMode mode = SearchMode.DYNAMIC;
        private int cacheMax = DEFAULT_CACHE_MAX;
        private int pendingBytesPerEntry = DEFAULT_PENDING_BYTES_PER_ENTRY;
        private String encapsulation;
        private Map<String, String> encapsulationProperties = Map.of();
        private boolean peersOnly;

        private Builder(String name, long vnetId) {
            this.name = Objects.requireNonNull(name);
            this.vnetId = vnetId;
        }

        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        public Builder mode(SearchMode mode) {
            this.mode = Objects.requireNonNull(mode);
            return this;
        }

        public Builder cacheMax(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("cache size must be at least 1");
            }
            this.cacheMax = entries;
            return this;
        }

        public Builder pendingBytesPerEntry(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("pending bound must be at least 1 byte");
            }
            this.pendingBytesPerEntry = bytes;
            return this;
        }

        /** The encapsulation plugin by name, and its properties ({@code vxlan/listen_ip=...}). */
        public Builder encapsulation(String plugin, Map<String, String> properties) {
            this.encapsulation = Objects.requireNonNull(plugin);
            this.encapsulationProperties = new TreeMap<>(properties);
            return this;
        }

        /** Accept frames only from known senders: see {@link DeviceConfig#acceptsPeersOnly()}. */
        public Builder acceptPeersOnly(boolean on) {
            this.peersOnly = on;
            return this;
        }

        /** @throws IllegalStateException when no encapsulation was named */
        public DeviceConfig build() {
            if (encapsulation == null) {
                throw new IllegalStateException("a device needs an encapsulation");
            }
            return new DeviceConfig(this);
        }
    }
}
