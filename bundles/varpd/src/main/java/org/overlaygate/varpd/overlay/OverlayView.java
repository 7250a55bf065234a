package org.overlaygate.varpd.overlay;

import java.util.List;
import java.util.Map;

import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;

/** What the commands show of one overlay. Immutable snapshot (the device is live). */
public final class OverlayView {
    public final String name;
    public final String encap;
    public final String search;
    /** Null when the overlay has no invalidation plugin. */
    public final String invalidation;
    public final SearchMode mode;
    public final long vnetId;
    public final int mtu;
    public final int cacheMax;
    /** {@code any} or {@code peers}. */
    public final String accept;
    public final Map<String, String> properties;
    public final boolean online;
    public final List<String> reasons;
    /** Null while the data path is absent. */
    public final OverlayDevice device;
    /** How the search plugin keeps the target cache. */
    public final TargetPolicy policy;
    /** The search instance's own counters ({@link org.overlaygate.api.search.SearchInstance#stats}); empty without one. */
    public final Map<String, Long> searchStats;

    OverlayView(OverlayDefinition d, List<String> reasons, OverlayDevice device, TargetPolicy policy, Map<String, Long> searchStats) {
        this.name = d.name;
        this.encap = d.encap;
        this.search = d.search;
        this.invalidation = d.invalidation;
        this.mode = d.mode;
        this.vnetId = d.vnetId;
        this.mtu = d.mtu;
        this.cacheMax = d.cacheMax;
        this.accept = d.peersOnly ? OverlayValidator.ACCEPT_PEERS : OverlayValidator.ACCEPT_ANY;
        this.properties = d.properties;
        this.online = reasons.isEmpty();
        this.reasons = List.copyOf(reasons);
        this.device = device;
        this.policy = policy;
        this.searchStats = searchStats;
    }

    public String status() {
        return online ? "ONLINE" : "DEGRADED";
    }
}
