package org.overlaygate.varpd.overlay;

import java.util.List;
import java.util.Map;

import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.search.SearchMode;

/** What the commands show of one overlay. Immutable snapshot (the device is live). */
public final class OverlayView {
    public final String name;
    public final String encap;
    public final String search;
    public final SearchMode mode;
    public final long vnetId;
    public final int mtu;
    public final int cacheMax;
    public final Map<String, String> properties;
    public final boolean online;
    public final List<String> reasons;
    /** Null while the data path is absent. */
    public final OverlayDevice device;

    OverlayView(OverlayDefinition d, boolean online, List<String> reasons, OverlayDevice device) {
        this.name = d.name;
        this.encap = d.encap;
        this.search = d.search;
        this.mode = d.mode;
        this.vnetId = d.vnetId;
        this.mtu = d.mtu;
        this.cacheMax = d.cacheMax;
        this.properties = d.properties;
        this.online = online;
        this.reasons = reasons;
        this.device = device;
    }

    public String status() {
        return online ? "ONLINE" : "DEGRADED";
    }
}
