package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.GatherList;

/** The OS side of a VNIC: a TAP device or an attached interface. */
public interface FramePort {

    String osName();

    /** The MAC address of the OS device. */
    long macAddress() throws IOException;

    /**
     * Bytes of offload header (a virtio_net_hdr) the port puts in front of each frame it reads, at
     * [offset - length, offset); 0 for ports without offloads.
     */
    default int offloadHeaderLength() {
        return 0;
    }

    /**
     * The largest frame (without the offload header) a read may return: 64 KiB when the port hands
     * over TCP segments larger than the MTU.
     */
    default int largestRead() {
        return org.overlaygate.core.base.BufferLayout.MAX_FRAME;
    }

    /**
     * How long {@link #read} polls without sleeping before it sleeps (see
     * {@code NativeChannel.setBusyPoll}); 0: not at all. Ports that always sleep ignore it.
     */
    default void busyPoll(long nanos) {
    }

    /** Waits up to {@code timeoutMillis} for one frame, copied to {@code offset}; 0 on timeout (at once for 0). */
    int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException;

    /**
     * The queue the last frame read came from, for a port with several (a multi-queue TAP): the
     * reader sends what it holds when this changes, so that a frame of one flow is not held back
     * behind another queue's. 0 for a port of one queue.
     */
    default int queue() {
        return 0;
    }

    /**
     * Hands the port's first queue, which light flows share ({@link LightFlows}), to a reader of its
     * own: from then on {@link #read} serves the other queues only, and the port returned reads the
     * first (and only reads: writing and closing stay this port's). Call before reading. Null for a
     * port of one queue, which is left as it is.
     */
    default FramePort splitLightQueue() {
        return null;
    }

    /**
     * Writes one frame. Thread-safe; writes nothing outside the frame.
     *
     * @return null when written, or why the device could not take it now (its queue is full:
     *     {@code delivery_queue_full}; it is down: {@code vnic_down})
     */
    String write(ByteBuffer direct, int offset, int length) throws IOException;

    /** Whether {@link #writeCoalesced} may be used: a TAP that takes TCP segments larger than its MTU. */
    default boolean takesCoalesced() {
        return false;
    }

    /**
     * Writes one frame made of pieces, the first of them its vnet header (see {@link TcpCoalescer}).
     *
     * @return null when written, or why the device could not take it now, as {@link #write}
     */
    default String writeCoalesced(GatherList frame) throws IOException {
        throw new UnsupportedOperationException("this VNIC takes no coalesced frames");
    }

    /**
     * Frames the OS handed over whole that were longer than a read takes, dropped (an attached
     * interface with GRO on, or a veth peer sending TSO segments, as AF_PACKET sees them).
     */
    default long oversizedReads() {
        return 0;
    }

    /** Its offloads by name: "on", or "off: " and why. */
    default Map<String, String> offloads() {
        return Map.of();
    }

    void close();

    /** Writes one frame through {@code port}, counting it out or its drop (the port's refusal, or {@code delivery_failed}) in {@code counters}. */
    static void writeCounted(FramePort port, ByteBuffer direct, int offset, int length, Counters counters) {
        try {
            String refused = port.write(direct, offset, length);
            if (refused == null) {
                counters.out(length);
            } else {
                counters.drop(refused);
            }
        } catch (IOException e) {
            counters.drop(DropReasons.DELIVERY_FAILED);
        }
    }
}
