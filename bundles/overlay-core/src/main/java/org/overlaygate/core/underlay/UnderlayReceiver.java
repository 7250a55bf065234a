package org.overlaygate.core.underlay;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Where an underlay mux delivers a decapsulated inner frame: the device of its vnet id. */
public interface UnderlayReceiver {

    /**
     * Called on the mux's receive thread with the inner Ethernet frame at [offset, offset+length)
     * of a direct buffer that is reused for the next packet as soon as this returns, and the outer
     * source address and port (0 for IP-protocol encapsulations) of the packet.
     */
    void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort);

    /**
     * The same, during a batch of packets received at once: the receiver may hold the frame back
     * in {@code batch} (null: there is none) until the receive thread flushes it, leaving the buffer
     * alone meanwhile. The default delivers at once.
     */
    default void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort, InboundBatch batch) {
        fromUnderlay(buf, offset, length, sender, senderPort);
    }

    /**
     * Called on the mux's receive thread for a packet of this vnet id that the decapsulator
     * refused ({@code reason}, a constant): the receiver counts it as its own drop.
     */
    void refusedFromUnderlay(String reason);
}
