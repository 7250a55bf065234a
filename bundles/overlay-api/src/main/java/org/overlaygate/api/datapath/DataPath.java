package org.overlaygate.api.datapath;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

/** The data path service of overlay-core. Thread-safe. */
@ProviderType
public interface DataPath {

    /**
     * Creates an overlay device.
     *
     * @throws DataPathException when the name is taken, the encapsulation's properties are refused,
     *     another device already uses the same vnet id on the same underlay socket, or the socket
     *     cannot be opened. A device whose encapsulation plugin is not registered is created
     *     unbound, with that fault, and bound when the plugin appears.
     */
    OverlayDevice createDevice(DeviceConfig config) throws DataPathException;

    Optional<OverlayDevice> device(String name);

    /** Every device, sorted by name. */
    List<OverlayDevice> devices();

    /**
     * Destroys a device, closing its underlay socket when no other device shares it.
     *
     * @throws DataPathException when VNICs still use it
     */
    void destroyDevice(String name) throws DataPathException;

    /**
     * Creates a VNIC on a device: a TAP device, an attached interface, or an in-memory port.
     *
     * @throws DataPathException when the name or MAC is taken, or the OS refused the device
     */
    VnicInfo createVnic(VnicConfig config) throws DataPathException;

    /** Removes a VNIC (and the TAP device it created). */
    void deleteVnic(String name) throws DataPathException;

    /**
     * Opens a network interface of the host for a service of the appliance (a router's uplink):
     * attaches {@code osName} through pcap when the host has an interface of that name, else
     * creates a TAP device of that name with the given MTU, up, without an address (the operator
     * configures the host side). Frames read from it go to {@code handler} on the link's own
     * thread. A name in use by a VNIC or another link is refused.
     *
     * @param mtu the MTU of a TAP device created (68-65535); an attached interface keeps its own
     * @throws DataPathException when the name is bad or taken, or the OS refused the device
     * @since 2.4
     */
    default HostLink openHostLink(String osName, int mtu, HostLinkHandler handler) throws DataPathException {
        throw new DataPathException("this data path opens no host links");
    }

    /** Every VNIC, sorted by name. */
    List<VnicInfo> vnics();

    /** The in-memory port of a {@link VnicConfig.Kind#MEMORY} VNIC, for tests and embedding. */
    Optional<MemoryPort> memoryPort(String vnicName);

    /**
     * Counters of each open underlay socket: packets in and out, and the drops that belong to no
     * device (malformed packets, unknown vnet ids), named like {@code vxlan udp 10.0.0.1:4789}.
     */
    List<DeviceStats.Counters> underlayStats();

    /**
     * The I/O offloads in use, per open underlay socket (named as in {@link #underlayStats()}) and
     * per TAP VNIC (by VNIC name): each applicable feature ({@code mmsg}, {@code udp_gro},
     * {@code udp_gso}, {@code tap_tso}, {@code tap_gro}, {@code tap_mq}) with "on" (for
     * {@code tap_mq} "on: N queues"), or "off: " and why (the
     * operator's setting, the kernel's version, the probe's or a later refusal).
     *
     * @since 2.1
     */
    default Map<String, Map<String, String>> offloads() {
        return Map.of();
    }

    /**
     * Every reason a drop may be counted under ({@link DeviceStats.Counters#drops}), known before
     * any is counted, so that reports can show each at 0 from the start. Reasons a search plugin
     * gives for its drops come in addition, as they occur.
     *
     * @since 2.2
     */
    default java.util.Set<String> dropReasons() {
        return java.util.Set.of();
    }

    /**
     * Takes the next upcall of any device, waiting up to {@code timeout}. Several threads may take
     * concurrently. Upcalls wait here (bounded) while nobody takes them: misses made while varpd
     * is away are answered when it returns.
     *
     * @return the upcall, or {@code null} on timeout
     */
    Upcall takeUpcall(long timeout, TimeUnit unit) throws InterruptedException;

    /** Upcalls waiting to be taken now, across all devices. */
    int queuedUpcalls();
}
