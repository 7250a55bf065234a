package org.overlaygate.core.os;

import com.sun.jna.Native;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * A raw AF_INET socket for one IP protocol (47 = GRE, for NVGRE), bound to a local IPv4 address.
 * The kernel adds the outer IPv4 header and routes/resolves neighbours; DF is set
 * ({@code IP_MTU_DISCOVER = IP_PMTUDISC_DO}) so the outer packet is never fragmented.
 *
 * <h2>Why the NVGRE underlay is a raw IP socket, not pcap injection</h2>
 * NVGRE has no UDP header, so a {@code DatagramSocket} cannot carry it; the two remaining ways are
 * a raw IP socket and injecting whole Ethernet frames with pcap. The raw socket lets the kernel do
 * everything an IP host does below the GRE header:
 * <ul>
 * <li>it chooses the route and source, resolves the next hop's MAC (ARP/NDP, with its neighbour
 * cache, retries and failover), and writes the outer IPv4 header (id, TTL, checksum);</li>
 * <li>it keeps the path MTU per destination: with DF set, an ICMP "fragmentation needed" lowers
 * the cached PMTU and later sends that exceed it fail with EMSGSIZE here instead of being
 * fragmented or silently black-holed;</li>
 * <li>on receive it already filters by protocol (only GRE reaches this socket) and by local
 * address (the bind), and has validated the IP header and reassembled fragments.</li>
 * </ul>
 * Injecting frames with pcap would bypass all of that: the appliance would need its own routing
 * table lookup, its own ARP/neighbour resolution and cache, its own PMTU handling, and would have
 * to capture and filter everything on the interface to receive, exactly what the Open vSwitch
 * userspace datapath has to re-implement ({@code ovs/route}, {@code tnl/neigh}) for its tunnels.
 *
 * <h2>Contract details</h2>
 * {@link #receive} returns whole IPv4 packets (a raw socket delivers the IP header too) and
 * records, for the calling thread's last receive, where the payload starts and who sent it; the
 * receive loop is expected to be one thread. {@link #send} is thread-safe. Nothing allocates per
 * packet. Asynchronous ICMP errors (e.g. a peer's "port unreachable" for GRE, which Linux reports
 * on a raw socket as ECONNREFUSED on the next call) are not failures of the current call: a send
 * is retried once, a receive goes on waiting. A send the kernel cannot queue now (EAGAIN, ENOBUFS)
 * is refused: the call returns false, and it is counted in {@link #droppedWrites()}.
 */
public final class RawIpSocket extends IpSocket {
    private static final int IPV4_MIN_HEADER = 20;

    private final int protocol;
    private final String local;
    private int payloadOffset;
    private int sourceAddress;

    private RawIpSocket(int fd, int protocol, String local) throws IOException {
        super(fd);
        this.protocol = protocol;
        this.local = local;
    }

    public static RawIpSocket open(int protocol, Inet4Address bindAddress) throws IOException {
        LibC.requireSupportedPlatform();
        if (protocol <= 0 || protocol >= 255) {
            throw new IllegalArgumentException("bad IP protocol number " + protocol + ": 1 to 254");
        }
        String local = bindAddress.getHostAddress();
        String what = "cannot open raw IP socket (protocol " + protocol + ") on " + local;
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new IOException(what + ": " + LibC.errorText(errno)
                    + (errno == LibC.EPERM || errno == LibC.EACCES ? " (needs root or CAP_NET_RAW)" : ""));
        }
        try {
            int errno = setIntOption(fd, LibC.IPPROTO_IP, LibC.IP_MTU_DISCOVER, LibC.IP_PMTUDISC_DO);
            if (errno != 0) {
                throw new IOException(what + ": cannot set IP_MTU_DISCOVER: " + LibC.errorText(errno));
            }
            long sockaddr = scratch().sockaddrIn(toInt(bindAddress));
            if (LibC.bind(fd, sockaddr, LibC.SOCKADDR_IN_SIZE) < 0) {
                errno = Native.getLastError();
                throw new IOException(what + ": " + LibC.errorText(errno)
                        + (errno == LibC.EADDRNOTAVAIL ? " (not an address of this host)" : ""));
            }
            return new RawIpSocket(fd, protocol, local);
        } catch (IOException | RuntimeException | Error e) {
            LibC.close(fd);
            throw e;
        }
    }

    /**
     * Opens a raw socket bound to a multicast group's address, receiving only packets sent to
     * that group (IP_MULTICAST_ALL off). Join the group with {@link #joinGroup}.
     */
    public static RawIpSocket openGroup(int protocol, Inet4Address group) throws IOException {
        RawIpSocket socket = open(protocol, group);
        try {
            Multicast.onlyJoinedGroups(socket.fd, socket.description());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }


    @Override
    String description() {
        return "raw IP socket (protocol " + protocol + ") on " + local;
    }

    /** The IP protocol number this socket carries. */
    public int protocol() {
        return protocol;
    }

    /** Sets SO_RCVBUF (bytes; the kernel doubles it and caps it at net.core.rmem_max). */
    public void setReceiveBufferSize(int bytes) throws IOException {
        setIntOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    /** Sets SO_SNDBUF (bytes; the kernel doubles it and caps it at net.core.wmem_max). */
    public void setSendBufferSize(int bytes) throws IOException {
        setIntOption(LibC.SOL_SOCKET, LibC.SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    private void setIntOption(int level, int option, int value, String optionName) throws IOException {
        enter();
        try {
            int errno = setIntOption(fd, level, option, value);
            if (errno != 0) {
                throw error("setsockopt " + optionName, errno);
            }
        } finally {
            exit();
        }
    }

    /**
     * Waits up to timeoutMillis for one packet and copies it, IPv4 header included, into the
     * direct buffer at offset. Returns the total length, 0 on timeout, -1 for a packet to drop
     * (malformed IPv4 header, or larger than the room left in the buffer). After a successful
     * receive, {@link #payloadOffset()} and {@link #sourceAddress()} describe it.
     */
    public int receive(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        long address = checkedAddress(direct, offset, 0) + offset;
        int room = direct.capacity() - offset;
        enter();
        try {
            long deadline = deadline(timeoutMillis);
            for (;;) {
                // MSG_TRUNC: the kernel returns the real length, so a truncated packet is recognised.
                long n = LibC.recv(fd, address, room, LibC.MSG_TRUNC);
                if (n >= 0) {
                    if (n > room) {
                        return -1;
                    }
                    int headerLength = ipv4HeaderLength(direct, offset, (int) n);
                    if (headerLength < 0) {
                        return -1;
                    }
                    payloadOffset = offset + headerLength;
                    sourceAddress = ((direct.get(offset + 12) & 0xFF) << 24) | ((direct.get(offset + 13) & 0xFF) << 16)
                            | ((direct.get(offset + 14) & 0xFF) << 8) | (direct.get(offset + 15) & 0xFF);
                    return (int) n;
                }
                if (!mayRetryReceive(Native.getLastError(), deadline, timeoutMillis)) {
                    return 0;
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * The length of a well-formed IPv4 header at {@code offset} of a packet of {@code length}
     * bytes, or -1: version must be 4, IHL at least 5 and inside the packet, total length at least
     * the header and at most the packet.
     */
    public static int ipv4HeaderLength(ByteBuffer buf, int offset, int length) {
        if (length < IPV4_MIN_HEADER) {
            return -1;
        }
        int versionIhl = buf.get(offset) & 0xFF;
        int headerLength = (versionIhl & 0x0F) * 4;
        if ((versionIhl >>> 4) != 4 || headerLength < IPV4_MIN_HEADER || headerLength > length) {
            return -1;
        }
        int totalLength = ((buf.get(offset + 2) & 0xFF) << 8) | (buf.get(offset + 3) & 0xFF); // whatever the buffer's order
        if (totalLength < headerLength || totalLength > length) {
            return -1;
        }
        return headerLength;
    }

    /** The absolute index of the first byte after the IPv4 header of the calling thread's last receive. */
    public int payloadOffset() {
        return payloadOffset;
    }

    /** The sender of the last receive: IPv4 as an int in network order (10.0.0.1 = 0x0A000001). */
    public int sourceAddress() {
        return sourceAddress;
    }

    /**
     * Sends [offset, offset+length) of a direct buffer as the payload of one IPv4 packet to
     * destination (IPv4 as int). Thread-safe. Errors such as EMSGSIZE (the packet would exceed the
     * path MTU and DF is set) surface as IOException with the errno text.
     */
    public boolean send(ByteBuffer direct, int offset, int length, int destinationIpv4) throws IOException {
        long address = checkedAddress(direct, offset, length) + offset;
        enter();
        try {
            long sockaddr = scratch().sockaddrIn(destinationIpv4);
            boolean retried = false;
            for (;;) {
                long n = LibC.sendto(fd, address, length, 0, sockaddr, LibC.SOCKADDR_IN_SIZE);
                if (n >= 0) {
                    return true;
                }
                int errno = Native.getLastError();
                if (errno == LibC.EAGAIN || errno == LibC.ENOBUFS) {
                    countDroppedWrite();
                    return false;
                }
                if (errno == LibC.EINTR) {
                    continue;
                }
                if (isAsyncIcmpError(errno) && !retried) {
                    // Most likely a pending error from an earlier ICMP message, consumed by this
                    // call; if it is this destination's own error, the retry reports it.
                    retried = true;
                    continue;
                }
                throw new IOException(description() + ": send " + length + " bytes to " + format(destinationIpv4) + ": "
                        + LibC.errorText(errno));
            }
        } finally {
            exit();
        }
    }

    static int toInt(Inet4Address address) {
        byte[] b = address.getAddress();
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    static String format(int ipv4) {
        return (ipv4 >>> 24) + "." + ((ipv4 >>> 16) & 0xFF) + "." + ((ipv4 >>> 8) & 0xFF) + "." + (ipv4 & 0xFF);
    }

    @Override
    void closeResources() {
        LibC.close(fd);
    }

    @Override
    public String toString() {
        return description();
    }
}
