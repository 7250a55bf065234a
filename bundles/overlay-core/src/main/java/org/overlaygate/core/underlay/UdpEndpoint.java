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
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.Multicast;
import org.overlaygate.core.os.UdpSocket;

/**
 * One UDP socket of a {@link UdpMux}. Over IPv4 it is a native {@link UdpSocket}
 * ({@link NativeUdpEndpoint}): DF set, so the kernel never fragments an outer packet, zero UDP
 * checksums as RFC 7348 recommends unless it sends GSO trains, and recvmmsg/sendmmsg, UDP_GRO and
 * UDP GSO where the kernel has them. Over IPv6 (where the checksum is mandatory and routers do not
 * fragment anyway) it is the JDK's DatagramChannel ({@link JdkUdpEndpoint}), one packet per call.
 * Either can be a group socket: bound to a multicast group's address, joined on an interface,
 * receiving only what is sent to that group.
 */
abstract class UdpEndpoint implements PacketSource, AutoCloseable {

    /** How long a receive waits before the receive loop looks at the closed flag again. */
    static final int POLL_MILLIS = 250;

    /**
     * Opens an endpoint bound to {@code address:port}; a taken port is a
     * {@link java.net.BindException}. {@code zeroChecksum}: IPv4 sends zero UDP checksums.
     */
    static UdpEndpoint open(InetAddress address, int port, int bufferBytes, boolean zeroChecksum) throws IOException {
        if (address instanceof Inet4Address) {
            UdpSocket socket = UdpSocket.open((Inet4Address) address, port, zeroChecksum);
            setBuffers(socket, bufferBytes);
            return new NativeUdpEndpoint(socket);
        }
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            ch.bind(new InetSocketAddress(address, port));
            return new JdkUdpEndpoint(ch, null);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens the sockets that receive on the listen address and port: one, or over IPv4
     * {@code count} sharing it (SO_REUSEPORT), among which the kernel spreads datagrams by a hash
     * of their addresses and ports. A UDP encapsulation's source port is a hash of the inner flow,
     * so each inner flow keeps to one socket (in order) and different flows mostly to different
     * ones: a small flow's datagrams do not queue behind a bulk flow's in one socket's buffer. A
     * plain socket is bound first and closed, so that a port held by anyone (another appliance
     * too, which binds the same way) is still refused as taken rather than silently shared; what
     * is left open is a process of the same user that sets SO_REUSEPORT itself and binds later.
     * Small datagrams (pings, ACKs, small requests) all go to the first socket and the others to
     * the rest, by their source port ({@link UdpSocket#steerSmallDatagramsToFirst}): so a ping
     * never shares a socket with a bulk flow, which the hash alone lets happen one time in
     * {@code count}. Should the kernel refuse that, the hash spreads them all (said in
     * {@link Receivers#steering}). Over IPv6 (the JDK's channel) there is one socket.
     */
    static Receivers openReceivers(InetAddress address, int port, int bufferBytes, int count) throws IOException {
        if (count <= 1 || !(address instanceof Inet4Address)) {
            return new Receivers(List.of(open(address, port, bufferBytes, true)), null);
        }
        Inet4Address a4 = (Inet4Address) address;
        UdpSocket.open(a4, port, true).close(); // taken: a BindException, as for one socket
        List<UdpEndpoint> opened = new ArrayList<>(count);
        UdpSocket first = null;
        try {
            for (int i = 0; i < count; i++) {
                UdpSocket socket = UdpSocket.openShared(a4, port, true);
                if (i == 0) {
                    first = socket; // any member of the group takes the steering program
                }
                setBuffers(socket, bufferBytes);
                opened.add(new NativeUdpEndpoint(socket));
            }
        } catch (IOException | RuntimeException e) {
            opened.forEach(UdpEndpoint::close);
            throw e;
        }
        String steering = null;
        try {
            first.steerSmallDatagramsToFirst(count);
        } catch (IOException e) {
            steering = e.getMessage();
        }
        return new Receivers(opened, steering);
    }

    /**
     * The sockets receiving on one listen address and port, and how the kernel spreads datagrams
     * over several: {@code steering} is null when small datagrams go to the first, else why they
     * do not (the kernel's hash then spreads them all).
     */
    record Receivers(List<UdpEndpoint> sockets, String steering) {
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
                return new NativeUdpEndpoint(socket);
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
            return new JdkUdpEndpoint(ch, ch.join(group, ni));
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
     * Readies this endpoint to receive, with what the mux settled: many datagrams per call
     * ({@code mmsg}) and trains of datagrams ({@code gro}, which the caller has turned on with
     * {@link #enableReceiveOffload()}). Before the first {@link #receive()}.
     */
    abstract void prepareReceive(boolean mmsg, boolean gro);

    /** Turns UDP_GRO on: null, or why it cannot be (always, for the JDK's channel). */
    abstract String enableReceiveOffload() throws IOException;

    /** Whether this endpoint can send GSO trains: null, or why not. */
    abstract String probeSendOffload() throws IOException;

    /** Sends zero UDP checksums, or computed ones (as GSO needs); no effect over IPv6. */
    abstract void setZeroChecksum(boolean zero) throws IOException;

    /**
     * Sends [offset, offset+length) of a direct buffer, leaving the buffer cleared.
     *
     * @return null when the kernel took it, or the drop reason
     */
    abstract String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination);

    /**
     * Sends packets [from, to) of a batch through this socket, in order, recording each outcome:
     * with sendmmsg when {@code mmsg}, consecutive packets to one destination as GSO trains when
     * {@code gso}. Tells {@code mux} when the kernel refuses GSO.
     */
    abstract void send(SendBatch batch, int from, int to, boolean mmsg, boolean gso, UdpMux mux);

    /** Sends to groups through the interface (or the one owning {@code local}) with the TTL, not looping back. */
    abstract void setGroupSending(String interfaceName, InetAddress local, int ttl) throws IOException;

    @Override
    public String unreadableReason() {
        return DropReasons.TOO_BIG;
    }

    @Override
    public abstract void close();
}
