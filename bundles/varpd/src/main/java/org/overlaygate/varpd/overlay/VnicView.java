package org.overlaygate.varpd.overlay;

import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;

/** What {@code vnic:show} prints of one VNIC: its definition and whether the data path has it. */
public final class VnicView {
    public final String name;
    public final String overlay;
    public final VnicConfig.Kind kind;
    public final String osName;
    public final long mac;
    /** The VLAN, or {@link VnicConfig#NO_VLAN}. */
    public final int vlan;
    /** Null when the VNIC is defined but not present (its overlay is degraded). */
    public final VnicInfo live;

    VnicView(String name, String overlay, VnicConfig.Kind kind, String osName, long mac, int vlan, VnicInfo live) {
        this.name = name;
        this.overlay = overlay;
        this.kind = kind;
        this.osName = osName;
        this.mac = mac;
        this.vlan = vlan;
        this.live = live;
    }
}
