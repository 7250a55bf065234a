package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.NativeMemory;

/**
 * A UDP endpoint over IPv6, through the JDK: one datagram per call, no offloads. Receive blocks
 * until a datagram comes or the channel is closed.
 */
final class JdkUdpEndpoint extends UdpEndpoint {
    static final String NO_OFFLOADS = "IPv6 underlay: the JDK's DatagramChannel takes one datagram per call";

    private final DatagramChannel channel;
    private final MembershipKey membership;
    /** Receivers only (senders never receive): mapped by {@link #prepareReceive}, unmapped by {@link #releaseBuffers}. */
    private ByteBuffer buf;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    private InetSocketAddress last;
    private int length;

    JdkUdpEndpoint(DatagramChannel channel, MembershipKey membership) {
        this.channel = channel;
        this.membership = membership;
    }

    @Override
    void prepareReceive(boolean mmsg, boolean gro) {
        if (buf == null) {
            buf = NativeMemory.allocate(BufferLayout.HEADROOM + 65536);
        }
    }

    @Override
    String enableReceiveOffload() {
        return NO_OFFLOADS;
    }

    @Override
    String probeSendOffload() {
        return NO_OFFLOADS;
    }

    @Override
    void setZeroChecksum(boolean zero) {
    }

    @Override
    String send(ByteBuffer b, int offset, int len, UnderlayAddress destination) {
        b.limit(offset + len).position(offset);
        try {
            return channel.send(b, destination.socketAddress()) > 0 ? null : DropReasons.SEND_QUEUE_FULL;
        } catch (IOException | RuntimeException e) {
            return DropReasons.SEND_FAILED;
        } finally {
            b.clear();
        }
    }

    @Override
    void send(SendBatch batch, int from, int to, boolean mmsg, boolean gso, UdpMux mux) {
        for (int i = from; i < to; i++) {
            batch.outcome[i] = send(batch.buffer[i], batch.offset[i], batch.length[i], batch.destination[i]);
        }
    }

    @Override
    void setGroupSending(String interfaceName, InetAddress local, int ttl) throws IOException {
        channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, interfaceFor(interfaceName, local));
        channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
        channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
    }

    @Override
    public int receive() throws IOException {
        buf.clear().position(BufferLayout.HEADROOM);
        InetSocketAddress from = (InetSocketAddress) channel.receive(buf); // cached by the JDK for a repeated sender
        if (from == null) {
            return 0;
        }
        last = from;
        length = buf.position() - BufferLayout.HEADROOM;
        return 1;
    }

    @Override
    public ByteBuffer buffer() {
        return buf;
    }

    @Override
    public int offset(int i) {
        return BufferLayout.HEADROOM;
    }

    @Override
    public int length(int i) {
        return length == 0 ? EMPTY : length;
    }

    @Override
    public int segmentSize(int i) {
        return 0;
    }

    @Override
    public InetAddress sender(int i) {
        return last == null ? null : last.getAddress();
    }

    @Override
    public int senderPort(int i) {
        return last == null ? 0 : last.getPort();
    }

    @Override
    public void releaseBuffers() {
        if (buf != null && released.compareAndSet(false, true)) {
            NativeMemory.free(buf);
        }
    }

    @Override
    public void close() {
        try {
            if (membership != null) {
                membership.drop();
            }
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
