package org.overlaygate.api.datapath;

/** A VNIC as it exists: {@code vnic:show}. Immutable snapshot. */
public final class VnicInfo {
    private final String name;
    private final String device;
    private final VnicConfig.Kind kind;
    private final String osName;
    private final long mac;
    private final int mtu;
    private final int vlan;

    public VnicInfo(String name, String device, VnicConfig.Kind kind, String osName, long mac, int mtu) {
        this(name, device, kind, osName, mac, mtu, VnicConfig.NO_VLAN);
    }

    /** @since 2.2 */
    public VnicInfo(String name, String device, VnicConfig.Kind kind, String osName, long mac, int mtu, int vlan) {
        this.name = name;
        this.device = device;
        this.kind = kind;
        this.osName = osName;
        this.mac = mac;
        this.mtu = mtu;
        this.vlan = vlan;
    }

    public String name() {
        return name;
    }

    public String device() {
        return device;
    }

    public VnicConfig.Kind kind() {
        return kind;
    }

    /** The TAP device or attached interface name; {@code null} for memory VNICs. */
    public String osName() {
        return osName;
    }

    public long mac() {
        return mac;
    }

    public int mtu() {
        return mtu;
    }

    /**
     * The VNIC's VLAN, or {@link VnicConfig#NO_VLAN}.
     *
     * @since 2.2
     */
    public int vlan() {
        return vlan;
    }
}
