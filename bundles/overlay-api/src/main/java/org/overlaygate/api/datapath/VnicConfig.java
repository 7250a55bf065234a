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

    /**
     * @param osName the TAP device name or attached interface; {@code null} for a generated TAP name
     * @param mac the VNIC's MAC, or {@code -1} to generate a locally administered one (pcap VNICs
     *     default to the interface's MAC)
     */
    public VnicConfig(String name, String device, Kind kind, String osName, long mac) {
        this.name = Objects.requireNonNull(name);
        this.device = Objects.requireNonNull(device);
        this.kind = Objects.requireNonNull(kind);
        this.osName = osName;
        this.mac = mac;
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
}
