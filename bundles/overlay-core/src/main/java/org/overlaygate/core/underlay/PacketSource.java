package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * One receiving socket of a mux, read by one thread of its own: each {@link #receive()} takes what
 * is queued (one packet, or many with recvmmsg), and the packets are then described by index.
 */
interface PacketSource {
    /** {@link #length} of a packet to drop as {@link #unreadableReason()}. */
    int UNREADABLE = -1;
    /** {@link #length} of a packet with nothing after the outer header. */
    int EMPTY = -2;

    /**
     * Waits a short while for packets and receives those queued, as many as fit.
     *
     * @return how many were received, 0 when none came in time
     * @throws ClosedChannelException once the source is closed
     */
    int receive() throws IOException;

    /**
     * How long {@link #receive()} polls without sleeping before it sleeps (see
     * {@code NativeChannel.setBusyPoll}); 0: not at all. Sources that always sleep ignore it.
     */
    default void busyPoll(long nanos) {
    }

    /** The buffer the packets of the last receive are in (direct). */
    ByteBuffer buffer();

    /** Where packet i's encapsulation header starts in {@link #buffer()}. */
    int offset(int i);

    /** Packet i's length from the encapsulation header on, or {@link #UNREADABLE}, {@link #EMPTY}. */
    int length(int i);

    /**
     * When packet i is a train of datagrams of one flow received as one (UDP GRO): their size (the
     * last may be shorter); otherwise 0.
     */
    int segmentSize(int i);

    /** The outer source address of packet i. */
    InetAddress sender(int i);

    /** Its outer source port; 0 when the transport has none. */
    int senderPort(int i);

    /** The drop reason of an {@link #UNREADABLE} packet. */
    String unreadableReason();

    /** Closes the socket, which ends a receive under way. */
    void close();

    /**
     * Gives back the memory packets are received into (see {@link org.overlaygate.core.os.NativeMemory}).
     * Called once the source is closed, by the thread that received from it after its last
     * receive, or by whoever opened it when no thread ever did; later calls do nothing.
     */
    void releaseBuffers();
}
