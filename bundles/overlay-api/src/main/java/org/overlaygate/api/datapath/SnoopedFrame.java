package org.overlaygate.api.datapath;

/** A copy of one inner frame seen by a device, for {@code overlay:snoop}. Immutable. */
public final class SnoopedFrame {
    /** Which way the frame was going. */
    public enum Direction {
        /** From a local VNIC. */
        FROM_VNIC,
        /** From the underlay (or delivered locally by varpd). */
        FROM_UNDERLAY
    }

    private final long timestampNanos;
    private final Direction direction;
    private final byte[] frame;

    public SnoopedFrame(long timestampNanos, Direction direction, byte[] frame) {
        this.timestampNanos = timestampNanos;
        this.direction = direction;
        this.frame = frame;
    }

    /** Wall-clock time in nanoseconds since the epoch. */
    public long timestampNanos() {
        return timestampNanos;
    }

    public Direction direction() {
        return direction;
    }

    /** The Ethernet frame; do not modify. */
    public byte[] frame() {
        return frame;
    }
}
