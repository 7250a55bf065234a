package org.overlaygate.core.base;

import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The reasons the data path drops a frame, as counted and printed by {@code overlay:stats}. */
public final class DropReasons {
    /** Shorter than an Ethernet header. */
    public static final String RUNT = "runt";
    /** Larger than the overlay MTU allows (the outer packet would need fragmenting). */
    public static final String TOO_BIG = "too_big";
    /** The overlay's encapsulation has never been bound (its plugin was never present). */
    public static final String NO_ENCAPSULATION = "no_encapsulation";
    /** The encapsulation plugin's code failed (threw, or its classes are gone with its bundle). */
    public static final String ENCAP_ERROR = "encap_error";
    /** The decapsulator failed on a packet (threw): a plugin bug, costing that one packet. */
    public static final String DECAP_ERROR = "decap_error";
    /** A point-mode overlay with no destination (its search plugin never answered). */
    public static final String NO_DESTINATION = "no_destination";
    /** Broadcast, multicast or unknown unicast on an overlay whose search plugin floods nowhere. */
    public static final String NO_FLOOD_TARGET = "no_flood_target";
    /** The target cache entry says drop (the plugin's reason is counted instead when it gave one). */
    public static final String TARGET_DROP = "target_drop";
    /** The entry's pending queue is full. */
    public static final String PENDING_FULL = "pending_full";
    /** All pending queues together are full. */
    public static final String PENDING_TOTAL_FULL = "pending_total_full";
    /** The device's share of the upcall queue is used up, or the queue is full. */
    public static final String MISS_QUEUE_FULL = "miss_queue_full";
    /**
     * A miss that found the target cache at its hard bound: no new entry until the sweeper has
     * evicted the least recently used ones.
     */
    public static final String CACHE_FULL = "cache_full";
    /** Dropped from a pending queue when its entry was removed, evicted or invalidated. */
    public static final String PENDING_DISCARDED = "pending_discarded";
    /** Unicast from the underlay to a MAC that is not on this host. */
    public static final String NOT_HERE = "not_here";
    /** The kernel could not queue the packet now (EAGAIN/ENOBUFS: the socket buffer or device queue is full). */
    public static final String SEND_QUEUE_FULL = "send_queue_full";
    /** The kernel refused the packet for good (no route, message too long ...). */
    public static final String SEND_FAILED = "send_failed";
    /** A frame that came back to the VNIC it came from. */
    public static final String HAIRPIN = "hairpin";
    /** A VNIC's delivery queue (in-memory VNICs) or device write failed. */
    public static final String DELIVERY_FAILED = "delivery_failed";
    /** The VNIC's OS device is down (EIO from a TAP, ENETDOWN from an interface): nothing reads it. */
    public static final String VNIC_DOWN = "vnic_down";
    /**
     * A frame of a VLAN the port is not on: a tagged frame from a VM on a VLAN, a frame to a port of
     * another VLAN, or a frame of a VLAN no local port has.
     */
    public static final String VLAN_MISMATCH = "vlan_mismatch";
    /** A frame to tag for its VLAN whose encapsulation header leaves no room for the tag in front of it. */
    public static final String NO_ROOM_FOR_TAG = "no_room_for_tag";
    /** A broadcast or multicast frame from the underlay while the overlay has no port here to take it. */
    public static final String NO_LOCAL_PORT = "no_local_port";
    /** The VNIC's device could not take the frame now (EAGAIN: the TAP queue is full). */
    public static final String DELIVERY_QUEUE_FULL = "delivery_queue_full";
    /** The underlay packet's vnet id belongs to no overlay on that socket. */
    public static final String UNKNOWN_VNET = "unknown_vnet";
    /** From an underlay address the overlay does not know, on an overlay that accepts only its peers. */
    public static final String NOT_A_PEER = "not_a_peer";
    /** A packet with nothing after the outer header (a zero-length UDP or GRE payload). */
    public static final String EMPTY = "empty";
    /** An address request (ARP/NS) on a proxying overlay that did not fit the upcall channel. */
    public static final String ADDRESS_REQUEST_DROPPED = "address_request_dropped";

    /** A frame read from a host link while no service held it (a TAP device kept for the service's next version). */
    public static final String LINK_UNCLAIMED = "link_unclaimed";

    /** A port's or host link's handler threw on a frame (the frame is lost; the thread goes on). */
    public static final String PORT_HANDLER_FAILED = "port_handler_failed";

    /** What a plugin's reason becomes when it is not a short snake_case word. */
    public static final String OTHER = "other";
    private static final Pattern PLUGIN_REASON = Pattern.compile("[a-z0-9_]{1,32}");
    private static final int MAX_PLUGIN_REASONS = 64;
    private static final ConcurrentHashMap<String, String> PLUGIN_REASONS = new ConcurrentHashMap<>();

    /** Every reason above, the constants of this class: what {@code DataPath.dropReasons()} reports. */
    private static final java.util.Set<String> ALL = constants();

    private DropReasons() {
    }

    /** Every reason the data path counts drops under (plugins' reasons aside). */
    public static java.util.Set<String> all() {
        return ALL;
    }

    private static java.util.Set<String> constants() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (java.lang.reflect.Field f : DropReasons.class.getFields()) {
            if (f.getType() == String.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                try {
                    out.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    /**
     * A plugin's drop reason made safe to count: one canonical string per distinct reason (so it
     * can be counted without allocating), at most {@value #MAX_PLUGIN_REASONS} distinct ones, and
     * {@link #OTHER} for anything that is not a short snake_case word.
     */
    public static String fromPlugin(String reason) {
        if (reason == null || !PLUGIN_REASON.matcher(reason).matches()) {
            return OTHER;
        }
        String known = PLUGIN_REASONS.get(reason);
        if (known != null) {
            return known;
        }
        if (PLUGIN_REASONS.size() >= MAX_PLUGIN_REASONS) {
            return OTHER;
        }
        String previous = PLUGIN_REASONS.putIfAbsent(reason, reason);
        return previous != null ? previous : reason;
    }
}
