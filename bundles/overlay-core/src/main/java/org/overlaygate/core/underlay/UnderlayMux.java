package org.overlaygate.core.underlay;

import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.encap.Decapsulator;

/**
 * The underlay endpoint shared by every device with the same {@link UnderlayKey} (illumos calls
 * it a mux): sockets that send for any device, and receive threads that decapsulate each packet
 * and hand it to the device registered for its vnet id.
 */
public interface UnderlayMux {

    UnderlayKey key();

    /**
     * Sends [offset, offset+length) of a direct buffer (the encapsulation header and inner frame)
     * to {@code destination}. Never throws and allocates nothing. The buffer is left cleared
     * (position 0, limit at capacity): callers index it absolutely.
     *
     * @param flowHash a hash of the inner flow, for the outer entropy (UDP source port)
     * @return {@code null} when the kernel took the packet, otherwise the (constant) reason it was
     *     dropped: the send queue was full, or the kernel refused it
     */
    String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash);

    /**
     * Sends packets [from, to) of a batch, all of them this mux's, in order, recording each one's
     * outcome in the batch (which counts it). Never throws, allocates nothing. This default sends
     * them one by one with {@link #send(ByteBuffer, int, int, UnderlayAddress, int)}; the muxes on
     * native sockets send many per system call.
     */
    default void send(SendBatch batch, int from, int to) {
        for (int i = from; i < to; i++) {
            batch.outcome[i] = send(batch.buffer[i], batch.offset[i], batch.length[i], batch.destination[i], batch.flowHash[i]);
        }
    }

    /**
     * The offloads of this mux's sockets by name ({@link org.overlaygate.core.base.Offload}):
     * "on", or "off: " and why.
     */
    default java.util.Map<String, String> offloads() {
        return java.util.Map.of();
    }

    /**
     * Delivers packets with {@code vnetId} to {@code receiver}.
     *
     * @throws DataPathException when another receiver already has that vnet id on this mux
     */
    void attach(long vnetId, UnderlayReceiver receiver) throws DataPathException;

    /** Stops delivering {@code vnetId} to {@code receiver} (no effect if another one has it). */
    void detach(long vnetId, UnderlayReceiver receiver);

    /** Number of attached receivers. */
    int attached();

    /** The decapsulator of every packet from now on: the newest version of the mux's plugin. */
    void setDecapsulator(Decapsulator decapsulator);

    /**
     * Joins a multicast group on an interface ({@code null}: the one owning the listen address),
     * so that packets to the group reach this mux, and sends to groups with that interface and
     * TTL. Memberships are counted: the group is left when the last handle closes.
     *
     * @throws DataPathException when the group cannot be joined, or the mux already sends to groups
     *     through another interface or with another TTL for another device
     */
    AutoCloseable joinGroup(InetAddress group, String interfaceName, int ttl) throws DataPathException;

    /** Packets received/sent and drops not owned by a device (malformed, unknown vnet id). */
    DeviceStats.Counters stats();

    void close();
}
