package org.overlaygate.api.datapath;

import java.util.Objects;

import org.overlaygate.api.search.SearchMode;

/**
 * What a device is made of. The encapsulation is set separately
 * ({@link OverlayDevice#setEncapsulation}) because its plugin may come and go. Immutable; build
 * with {@link #builder(String, long)}.
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

    private DeviceConfig(Builder b) {
        this.name = b.name;
        this.vnetId = b.vnetId;
        this.mtu = b.mtu;
        this.mode = b.mode;
        this.cacheMax = b.cacheMax;
        this.pendingBytesPerEntry = b.pendingBytesPerEntry;
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

    /** Builds a {@link DeviceConfig}. */
    public static final class Builder {
        private final String name;
        private final long vnetId;
        private int mtu = 1400;
        private SearchMode mode = SearchMode.DYNAMIC;
        private int cacheMax = DEFAULT_CACHE_MAX;
        private int pendingBytesPerEntry = DEFAULT_PENDING_BYTES_PER_ENTRY;

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

        public DeviceConfig build() {
            return new DeviceConfig(this);
        }
    }
}
