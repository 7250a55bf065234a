package org.overlaygate.api.datapath;

import java.util.Objects;

/** What a VNIC is made of. Immutable. */
public final class VnicConfig {
    /** The kinds of VNIC. */
    public enum Kind {
        /** A Linux TAP device created (and removed) by the appliance. */
        TAP,
        /** An existing interface attached through pcap (inbound frames only). */
        PCAP,
        /** An in-memory port, for tests and embedding. */
        MEMORY
    }

    private final String name;
    private final String device;
    private final Kind kind;
    private final String osName;
    private final long mac;
    private final int vlan;

    /** No VLAN: the VNIC sends and receives frames as they are (a trunk, as before VLANs existed). */
    public static final int NO_VLAN = -1;

    /**
     * @param osName the TAP device name or attached interface; {@code null} for a generated TAP name
     * @param mac the VNIC's MAC, or {@code -1} to generate a locally administered one (pcap VNICs
     *     default to the interface's MAC)
     */
    public VnicConfig(String name, String device, Kind kind, String osName, long mac) {
        this(name, device, kind, osName, mac, NO_VLAN);
    }

    /**
     * A VNIC on a VLAN: its VM sees untagged frames, and on the overlay its frames carry an 802.1Q
     * tag with {@code vlan}; it receives only frames of that VLAN.
     *
     * @param vlan 1-4094, or {@link #NO_VLAN}
     * @throws IllegalArgumentException for a VLAN id outside 1-4094
     * @since 2.2
     */
    public VnicConfig(String name, String device, Kind kind, String osName, long mac, int vlan) {
        if (vlan != NO_VLAN && (vlan < 1 || vlan > 4094)) {
            throw new IllegalArgumentException("VLAN id " + vlan + " is outside 1-4094");
        }
        this.name = Objects.requireNonNull(name);
        this.device = Objects.requireNonNull(device);
        this.kind = Objects.requireNonNull(kind);
        this.osName = osName;
        this.mac = mac;
        this.vlan = vlan;
    }

    public String name() {
        return name;
    }

    /** The overlay device it is on. */
    public String device() {
        return device;
    }

    public Kind kind() {
        return kind;
    }

    public String osName() {
        return osName;
    }

    public long mac() {
        return mac;
    }

    /**
     * The VNIC's VLAN, or {@link #NO_VLAN}.
     *
     * @since 2.2
     */
    public int vlan() {
        return vlan;
    }
}
