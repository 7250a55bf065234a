package org.overlaygate.core.underlay;

import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.encap.Encapsulator;

/**
 * A socket on the underlay shared by every device with the same {@link UnderlayKey}: one receive
 * thread decapsulates each packet and hands it to the device registered for its vnet id; any
 * thread may send.
 */
public interface UnderlaySocket {

    UnderlayKey key();

    /**
     * Sends [offset, offset+length) of a direct buffer (the encapsulation header and inner frame)
     * to {@code destination}. Never throws; returns false when the OS refused the packet. The
     * buffer is left cleared (position 0, limit at capacity): callers index it absolutely.
     *
     * @param flowHash a hash of the inner flow, for the outer entropy (UDP source port)
     */
    boolean send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash);

    /**
     * Delivers packets with {@code vnetId} to {@code receiver}.
     *
     * @throws DataPathException when another receiver already has that vnet id on this socket
     */
    void attach(long vnetId, UnderlayReceiver receiver) throws DataPathException;

    /** Stops delivering {@code vnetId} to {@code receiver} (no effect if another one has it). */
    void detach(long vnetId, UnderlayReceiver receiver);

    /** Number of attached receivers. */
    int attached();

    /**
     * The decapsulator used for every packet: all devices on one socket share an encapsulation,
     * so the newest encapsulator of that plugin serves them all.
     */
    void setDecapsulator(Encapsulator decapsulator);

    /** Packets received/sent and drops not owned by a device (malformed, unknown vnet id). */
    DeviceStats.Counters stats();

    void close();
}
