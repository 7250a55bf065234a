package org.overlaygate.api.datapath;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;

/**
 * One overlay in the data path. Thread-safe. The device owns its encapsulation (bound by the core
 * from {@link DeviceConfig#encapsulation()}), its target cache and its flood destinations; varpd
 * configures how lookups behave and answers its {@link Upcall}s.
 */
@ProviderType
public interface OverlayDevice {

    String name();

    long vnetId();

    int mtu();

    SearchMode mode();

    /** The encapsulation plugin's name, from the configuration. */
    String encapsulationName();

    /**
     * The version of the encapsulation plugin whose code the device runs, or {@code null} before
     * it was ever bound.
     */
    String encapsulationVersion();

    /** The underlay address the device receives on, or {@code null} before it was ever bound. */
    UnderlayAddress listenAddress();

    /**
     * Why the data path cannot do everything this device asks of it right now ("encapsulation vxlan
     * absent: forwarding with version 1.0.0", "cannot join 239.1.1.1 on eth9: No such device");
     * empty when it can.
     */
    List<String> faults();

    /**
     * What the lookup side has set on this device (all the setters below), as one immutable value.
     * A varpd that adopts a device it did not create reads this instead of applying defaults.
     *
     * @since 2.2
     */
    DeviceSettings settings();

    /**
     * Makes {@code settings} the device's settings at once: frame paths see either the old or the
     * new value, never a mix. The multicast group is left and joined only when it changed.
     *
     * @throws DataPathException when the new group cannot be joined; everything else is applied,
     *     and the device then has no group
     * @since 2.2
     */
    void apply(DeviceSettings settings) throws DataPathException;

    /**
     * The one destination of a {@link SearchMode#POINT} device; {@code null} means none is known
     * (frames are dropped as {@code no_destination}).
     */
    void setPointDestination(UnderlayAddress destination);

    UnderlayAddress pointDestination();

    /**
     * Where broadcast and multicast frames from local VNICs go, besides the other local VNICs (a
     * multicast group, the peers of head-end replication, or nowhere), and whether unicast to a
     * MAC the cache does not know goes there too instead of being looked up (flood-and-learn).
     * Kept while varpd or the plugin is away.
     */
    void setFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast);

    List<UnderlayAddress> floodTargets();

    /** How this device's cache learns and ages entries; kept while varpd or the plugin is away. */
    void setTargetPolicy(TargetPolicy policy);

    /** Whether ARP requests and neighbour solicitations from VNICs become {@link AddressRequest}s instead of being flooded. */
    void setAddressProxy(boolean proxy);

    /**
     * Joins an underlay multicast group (IGMP/MLD) on an interface, so that packets sent to the
     * group reach this device, and sets the TTL (hop limit) of packets sent to groups; {@code null}
     * leaves the group joined before. One group per device; devices on one underlay socket that
     * join different groups share the socket, those that join the same group share the membership.
     *
     * @param interfaceName the underlay interface to join on, or {@code null} for the one the
     *     routing table picks
     * @throws DataPathException when the group cannot be joined (no such interface, no route ...)
     *     or conflicts with the multicast settings another device has on the same socket
     */
    void setMulticastGroup(InetAddress group, String interfaceName, int ttl) throws DataPathException;

    /** Installs or replaces a VALID cache entry; frames queued on it are sent. */
    void setTarget(long mac, UnderlayAddress destination, TargetEntry.Origin origin);

    /** Removes a cache entry; the next frame to {@code mac} is a miss. Returns whether there was one. */
    boolean invalidate(long mac);

    /**
     * What {@link #invalidateFrom} did.
     *
     * @since 2.3
     */
    enum RemoteInvalidation {
        /** The entry was removed: the next frame to the MAC is looked up afresh. */
        APPLIED,
        /** There was no entry for the MAC: nothing to do. */
        NOT_CACHED,
        /** The sender is not a host this overlay knows for that MAC: ignored. */
        UNKNOWN_SENDER,
        /** The entry was set by the operator: only the operator removes it. */
        OPERATOR_ENTRY,
        /** Frames wait on the entry for a lookup: they are kept, and the answer will tell. */
        PENDING
    }

    /**
     * A remote host, {@code sender}, says {@code mac} is not where this device's cache thinks (an
     * invalidation plugin's message, which anyone on the underlay can forge). Believed only from a
     * host the overlay knows for that MAC: the address the cache holds for it, the point
     * destination, or a configured peer (a unicast flood target). Never removes an entry the
     * operator set, and never one frames wait on; unlike {@link #invalidate} it discards nothing.
     * Allocation-free and cheap, so a flood of forgeries costs only their reading.
     *
     * @since 2.3
     */
    RemoteInvalidation invalidateFrom(long mac, InetAddress sender);

    /** Removes every cache entry. */
    void flushTargets();

    /** A snapshot of the target cache, sorted by MAC. */
    List<TargetEntry> targets();

    /**
     * Attaches a port whose far side is {@code handler} (see {@link AttachedPort}).
     *
     * @param name what the port's counters are called ({@code r1.ovl0})
     * @param mac the port's unicast MAC, unique on this overlay on this host
     * @param shared whether the same MAC is on this overlay on every host (a distributed gateway):
     *     frames from the underlay with it as their source are then expected, never learned and not
     *     counted as {@code local_mac_from_underlay} (a duplicate MAC or a loop, for any other
     *     local MAC)
     * @throws DataPathException when the MAC is not unicast or another port of the overlay has it
     * @since 2.2
     */
    AttachedPort attachPort(String name, long mac, boolean shared, PortHandler handler) throws DataPathException;

    /**
     * Attaches a port on a VLAN (see {@link AttachedPort}): like a VNIC created with that VLAN, its
     * handler gets the VLAN's frames untagged, and the frames it sends (untagged) carry the VLAN's
     * tag on the overlay. A DHCP server or a router interface per VLAN.
     *
     * @param vlan 1-4094, or {@link VnicConfig#NO_VLAN} (the same as {@link #attachPort(String, long, boolean, PortHandler)})
     * @throws DataPathException as {@link #attachPort(String, long, boolean, PortHandler)}, and
     *     where a VNIC on a VLAN would be refused (the encapsulation carries no tags, no room for one)
     * @throws IllegalArgumentException when {@code vlan} is outside 1-4094
     * @since 2.3
     */
    AttachedPort attachPort(String name, long mac, boolean shared, int vlan, PortHandler handler) throws DataPathException;

    /** Delivers an Ethernet frame (position to limit) to the device's VNICs as if from the underlay. */
    void deliverLocally(ByteBuffer frame);

    /** Delivers the answer to an {@link AddressRequest} (an ARP reply or neighbour advertisement) to the VNIC that asked, and counts it. */
    void deliverProxyReply(ByteBuffer frame);

    /** A snapshot of the device's counters and those of its VNICs. */
    DeviceStats stats();

    /**
     * Counts an event of the lookup side in the device's statistics ({@code invalidations_sent},
     * {@code lookup_failed}); the name must be a constant.
     */
    void countEvent(String event);

    /**
     * Calls {@code listener} with a copy of every inner frame the device switches (from VNICs and
     * from the underlay) until the returned handle is closed. Copies are made only while someone
     * listens.
     */
    AutoCloseable snoop(Consumer<SnoopedFrame> listener);
}
