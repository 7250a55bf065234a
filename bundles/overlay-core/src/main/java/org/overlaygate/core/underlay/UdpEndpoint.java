package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.Multicast;
import org.overlaygate.core.os.UdpSocket;

/**
 * One UDP socket of a {@link UdpMux}. Over IPv4 it is a native {@link UdpSocket}: DF set, so the
 * kernel never fragments an outer packet, and zero UDP checksums as RFC 7348 recommends. Over IPv6
 * (where the checksum is mandatory and routers do not fragment anyway) it is the JDK's
 * DatagramChannel. Either can be a group socket: bound to a multicast group's address, joined on an
 * interface, receiving only what is sent to that group.
 */
abstract class UdpEndpoint implements PacketSource, AutoCloseable {

    /**
     * Where received datagrams start in the buffer: room in front of the inner frame for a VNIC's
     * scratch bytes, whatever the encapsulation header's length.
     */
    static final int RECEIVE_OFFSET = BufferLayout.DELIVERY_SCRATCH;
    /** How long a read waits before the receive loop looks at the closed flag again. */
    static final int POLL_MILLIS = 250;

    /** Opens an endpoint bound to {@code address:port}; a taken port is a {@link java.net.BindException}. */
    static UdpEndpoint open(InetAddress address, int port, int bufferBytes) throws IOException {
        if (address instanceof Inet4Address) {
            UdpSocket socket = UdpSocket.open((Inet4Address) address, port, true);
            setBuffers(socket, bufferBytes);
            return new Native(socket);
        }
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            ch.bind(new InetSocketAddress(address, port));
            return new Jdk(ch, null);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens a socket that receives datagrams sent to {@code group:port}, joined on
     * {@code interfaceName} (or, when null, on the interface that owns {@code local}).
     */
    static UdpEndpoint openGroup(InetAddress group, int port, String interfaceName, InetAddress local, int bufferBytes) throws IOException {
        if (group instanceof Inet4Address) {
            UdpSocket socket = UdpSocket.openGroup((Inet4Address) group, port);
            try {
                setBuffers(socket, bufferBytes);
                int ifindex = interfaceName == null ? 0 : Multicast.interfaceIndex(interfaceName);
                socket.joinGroup(ipv4(group), interfaceName == null ? ipv4(local) : 0, ifindex, true);
                return new Native(socket);
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        NetworkInterface ni = interfaceFor(interfaceName, local);
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            ch.bind(new InetSocketAddress(group, port));
            return new Jdk(ch, ch.join(group, ni));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void setBuffers(UdpSocket socket, int bufferBytes) {
        try {
            socket.setBufferSizes(bufferBytes);
        } catch (IOException e) {
            // the system default buffers still work
        }
    }

    /** An IPv4 address as a Java int in network order, as the native sockets take it. */
    static int ipv4(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    static NetworkInterface interfaceFor(String interfaceName, InetAddress local) throws IOException {
        NetworkInterface ni = interfaceName != null ? NetworkInterface.getByName(interfaceName) : NetworkInterface.getByInetAddress(local);
        if (ni == null) {
            throw new SocketException(interfaceName != null ? "no network interface " + interfaceName
                    : "no network interface has " + local.getHostAddress());
        }
        return ni;
    }

    /**
     * Sends [offset, offset+length) of a direct buffer, leaving the buffer cleared.
     *
     * @return null when the kernel took it, or the drop reason
     */
    abstract String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination);

    /** Sends to groups through the interface (or the one owning {@code local}) with the TTL, not looping back. */
    abstract void setGroupSending(String interfaceName, InetAddress local, int ttl) throws IOException;

    @Override
    public String unreadableReason() {
        return DropReasons.TOO_BIG;
    }

    @Override
    public abstract void close();

    /** IPv4, through the native socket. */
    private static final class Native extends UdpEndpoint {
        private final UdpSocket socket;
        private final SenderCache senders = new SenderCache();
        private InetAddress lastSender;
        private int lastSenderPort;

        Native(UdpSocket socket) {
            this.socket = socket;
        }

        @Override
        String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination) {
            try {
                if (!destination.isIpv4()) {
                    return DropReasons.SEND_FAILED; // an IPv4 underlay cannot reach an IPv6 peer
                }
                return socket.send(buf, offset, length, destination.ipv4Bits(), destination.port()) ? null : DropReasons.SEND_QUEUE_FULL;
            } catch (IOException e) {
                return DropReasons.SEND_FAILED;
            } finally {
                buf.clear();
            }
        }

        @Override
        void setGroupSending(String interfaceName, InetAddress local, int ttl) throws IOException {
            int ifindex = interfaceName == null ? 0 : Multicast.interfaceIndex(interfaceName);
            socket.setMulticastSending(interfaceName == null ? ipv4(local) : 0, ifindex, ttl, false);
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
            buf.clear();
            int n = socket.receive(buf, RECEIVE_OFFSET, POLL_MILLIS);
            if (n > 0) {
                buf.limit(RECEIVE_OFFSET + n).position(RECEIVE_OFFSET);
                lastSender = senders.of(socket.sourceAddress());
                lastSenderPort = socket.sourcePort();
                return n;
            }
            return n == UdpSocket.TOO_BIG ? UNREADABLE : n == UdpSocket.EMPTY ? EMPTY : NOTHING;
        }

        @Override
        public InetAddress lastSender() {
            return lastSender;
        }

        @Override
        public int lastSenderPort() {
            return lastSenderPort;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** IPv6, through the JDK. Receive blocks until a datagram comes or the channel is closed. */
    private static final class Jdk extends UdpEndpoint {
        private final DatagramChannel channel;
        private final MembershipKey membership;
        private InetSocketAddress last;

        Jdk(DatagramChannel channel, MembershipKey membership) {
            this.channel = channel;
            this.membership = membership;
        }

        @Override
        String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination) {
            buf.limit(offset + length).position(offset);
            try {
                return channel.send(buf, destination.socketAddress()) > 0 ? null : DropReasons.SEND_QUEUE_FULL;
            } catch (IOException | RuntimeException e) {
                return DropReasons.SEND_FAILED;
            } finally {
                buf.clear();
            }
        }

        @Override
        void setGroupSending(String interfaceName, InetAddress local, int ttl) throws IOException {
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, interfaceFor(interfaceName, local));
            channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
            channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
            buf.clear().position(RECEIVE_OFFSET);
            InetSocketAddress from = (InetSocketAddress) channel.receive(buf); // cached by the JDK for a repeated sender
            if (from == null) {
                return NOTHING;
            }
            last = from;
            buf.limit(buf.position()).position(RECEIVE_OFFSET);
            return buf.remaining() == 0 ? EMPTY : buf.remaining();
        }

        @Override
        public InetAddress lastSender() {
            return last == null ? null : last.getAddress();
        }

        @Override
        public int lastSenderPort() {
            return last == null ? 0 : last.getPort();
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
}
