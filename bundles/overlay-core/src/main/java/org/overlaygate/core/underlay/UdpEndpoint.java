package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.core.os.UdpSocket;

/**
 * One UDP socket of a {@link UdpUnderlay}. Over IPv4 it is a native {@link UdpSocket}: DF set, so
 * the kernel never fragments an outer packet, and zero UDP checksums as RFC 7348 recommends. Over
 * IPv6 (where the checksum is mandatory and routers do not fragment anyway) it is the JDK's
 * DatagramChannel.
 */
abstract class UdpEndpoint implements AutoCloseable {

    /** Opens an endpoint bound to {@code address:port}; a taken port is a {@link java.net.BindException}. */
    static UdpEndpoint open(InetAddress address, int port, int bufferBytes) throws IOException {
        if (address instanceof Inet4Address) {
            UdpSocket socket = UdpSocket.open((Inet4Address) address, port, true);
            try {
                socket.setBufferSizes(bufferBytes);
            } catch (IOException e) {
                // the system default buffers still work
            }
            return new Native(socket);
        }
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            ch.bind(new InetSocketAddress(address, port));
            return new Jdk(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends [offset, offset+length) of a direct buffer, leaving the buffer cleared. */
    abstract void send(ByteBuffer buf, int offset, int length, UnderlayAddress destination) throws IOException;

    /**
     * Where received datagrams start in the buffer: room in front of the inner frame for a VNIC's
     * scratch bytes (see LocalPort.deliver), whatever the encapsulation header's length.
     */
    static final int RECEIVE_OFFSET = 16;

    /**
     * Receives one datagram into the buffer from {@link #RECEIVE_OFFSET} and sets position and limit
     * around it. Returns its length, 0 when nothing came within the timeout, -1 for a datagram to drop.
     */
    abstract int receive(ByteBuffer buf, int timeoutMillis) throws IOException;

    /** The sender of the last datagram received. */
    abstract InetAddress lastSender();

    @Override
    public abstract void close();

    /** IPv4, through the native socket. */
    private static final class Native extends UdpEndpoint {
        private final UdpSocket socket;
        private final SenderCache senders = new SenderCache();
        private InetAddress lastSender;

        Native(UdpSocket socket) {
            this.socket = socket;
        }

        @Override
        void send(ByteBuffer buf, int offset, int length, UnderlayAddress destination) throws IOException {
            try {
                if (!destination.isIpv4()) {
                    throw new IOException("an IPv4 underlay cannot send to " + destination);
                }
                socket.send(buf, offset, length, destination.ipv4Bits(), destination.port());
            } finally {
                buf.clear();
            }
        }

        @Override
        int receive(ByteBuffer buf, int timeoutMillis) throws IOException {
            buf.clear();
            int n = socket.receive(buf, RECEIVE_OFFSET, timeoutMillis);
            if (n > 0) {
                buf.limit(RECEIVE_OFFSET + n).position(RECEIVE_OFFSET);
                lastSender = senders.of(socket.sourceAddress());
            }
            return n;
        }

        @Override
        InetAddress lastSender() {
            return lastSender;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** IPv6, through the JDK. Receive blocks until a datagram comes or the channel is closed. */
    private static final class Jdk extends UdpEndpoint {
        private final DatagramChannel channel;
        private InetAddress lastSender;

        Jdk(DatagramChannel channel) {
            this.channel = channel;
        }

        @Override
        void send(ByteBuffer buf, int offset, int length, UnderlayAddress destination) throws IOException {
            buf.limit(offset + length).position(offset);
            try {
                channel.send(buf, destination.socketAddress());
            } finally {
                buf.clear();
            }
        }

        @Override
        int receive(ByteBuffer buf, int timeoutMillis) throws IOException {
            buf.clear().position(RECEIVE_OFFSET);
            InetSocketAddress from = (InetSocketAddress) channel.receive(buf); // cached by the JDK for a repeated sender
            if (from == null) {
                return 0;
            }
            lastSender = from.getAddress();
            buf.limit(buf.position()).position(RECEIVE_OFFSET);
            return buf.remaining();
        }

        @Override
        InetAddress lastSender() {
            return lastSender;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
