package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/** One receiving socket of a mux, read by one thread of its own. */
interface PacketSource {
    /** {@link #read} found nothing within its wait. */
    int NOTHING = 0;
    /** {@link #read} got a packet to drop as {@link #unreadableReason()}. */
    int UNREADABLE = -1;
    /** {@link #read} got a packet with nothing after the outer header. */
    int EMPTY = -2;

    /**
     * Reads one packet into {@code buf}, waiting a short while, and leaves the position at the
     * encapsulation header and the limit at the packet's end, with at least
     * {@code BufferLayout.DELIVERY_SCRATCH} bytes in front of the position.
     *
     * @return the bytes from the encapsulation header on, or {@link #NOTHING}, {@link #UNREADABLE},
     *     {@link #EMPTY}
     * @throws ClosedChannelException once the source is closed
     */
    int read(ByteBuffer buf) throws IOException;

    /** The outer source address of the packet {@link #read} last returned. */
    InetAddress lastSender();

    /** Its outer source port; 0 when the transport has none. */
    int lastSenderPort();

    /** The drop reason of a packet {@link #read} could not take. */
    String unreadableReason();

    /** Closes the socket, which ends a read under way. */
    void close();
}
