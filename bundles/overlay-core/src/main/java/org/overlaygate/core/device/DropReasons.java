package org.overlaygate.core.device;

/** The reasons the data path drops a frame, as counted and printed by {@code overlay:stats}. */
public final class DropReasons {
    /** Shorter than an Ethernet header. */
    public static final String RUNT = "runt";
    /** Larger than the overlay MTU allows (the outer packet would need fragmenting). */
    public static final String TOO_BIG = "too_big";
    /** The overlay has no encapsulation plugin (yet). */
    public static final String NO_ENCAPSULATION = "no_encapsulation";
    /** A point-mode overlay with no destination (its search plugin never answered). */
    public static final String NO_DESTINATION = "no_destination";
    /** The target cache entry says drop. */
    public static final String TARGET_DROP = "target_drop";
    /** The entry's pending queue is full. */
    public static final String PENDING_FULL = "pending_full";
    /** All pending queues together are full. */
    public static final String PENDING_TOTAL_FULL = "pending_total_full";
    /** The miss queue is full. */
    public static final String MISS_QUEUE_FULL = "miss_queue_full";
    /** Dropped from a pending queue when its entry was removed, evicted or answered with drop. */
    public static final String PENDING_DISCARDED = "pending_discarded";
    /** Unicast from the underlay to a MAC that is not on this host. */
    public static final String NOT_HERE = "not_here";
    /** The underlay socket refused the send (network unreachable, buffer full ...). */
    public static final String SEND_FAILED = "send_failed";
    /** A frame that came back to the VNIC it came from. */
    public static final String HAIRPIN = "hairpin";
    /** A VNIC's delivery queue (in-memory VNICs) or device write failed. */
    public static final String DELIVERY_FAILED = "delivery_failed";
    /** The underlay packet's vnet id belongs to no overlay on that socket. */
    public static final String UNKNOWN_VNET = "unknown_vnet";

    private DropReasons() {
    }
}
