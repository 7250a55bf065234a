package org.overlaygate.core.os;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;

import com.sun.jna.Native;

/**
 * A UDP socket over IPv4 for the VXLAN underlay, opened here rather than through
 * {@link java.nio.channels.DatagramChannel} because the underlay needs two socket options the JDK
 * (17) cannot set: IP_MTU_DISCOVER = IP_PMTUDISC_DO, so that the kernel sets DF and never fragments
 * an outer packet (RFC 7348: "VTEPs MUST NOT fragment VXLAN packets"), refusing an oversized send
 * with EMSGSIZE instead; and SO_NO_CHECK, so that the UDP checksum is transmitted as zero, as
 * section 5 recommends. Per-packet calls allocate nothing, like the other channels of this package.
 */
public final class UdpSocket extends IpSocket {
    /** {@link #receive} of a datagram larger than the room in the buffer (dropped). */
    public static final int TOO_BIG = -1;
    /** {@link #receive} of a datagram with no payload at all. */
    public static final int EMPTY = -2;
    /** Datagrams with at most this many bytes of payload count as small ({@link #steerSmallDatagramsToFirst}). */
    public static final int SMALL_DATAGRAM_BYTES = 256;

    private final String local;
    private volatile boolean zeroChecksum;
    private int sourceAddress;
    private int sourcePort;

    private UdpSocket(int fd, String local, boolean zeroChecksum) throws IOException {
        super(fd);
        this.local = local;
        this.zeroChecksum = zeroChecksum;
    }

    /**
     * Opens a socket bound to {@code bindAddress:port} (port 0: any).
     *
     * @param zeroChecksum transmit a zero UDP checksum
     * @throws BindException when the address and port are taken
     * @throws IOException with the OS's reason otherwise
     */
    public static UdpSocket open(Inet4Address bindAddress, int port, boolean zeroChecksum) throws IOException {
        return open(bindAddress, port, zeroChecksum, 0);
    }

    /**
     * Opens one of several sockets that share {@code bindAddress:port} (SO_REUSEPORT): the kernel
     * gives each datagram to one of them by a hash of its source and destination address and port.
     * Only sockets that set the option too, of the same user, can join; the caller makes sure the
     * port was free before the first (see {@code UdpEndpoint.openReceivers}).
     *
     * @throws BindException when the address and port are taken by a socket that does not share
     */
    public static UdpSocket openShared(Inet4Address bindAddress, int port, boolean zeroChecksum) throws IOException {
        return open(bindAddress, port, zeroChecksum, LibC.SO_REUSEPORT);
    }

    /**
     * Makes the first of {@code sockets} sharing this socket's port (bound in order, this one
     * among them) receive the datagrams of at most {@value #SMALL_DATAGRAM_BYTES}
     * bytes of payload, and the rest the others, by their source port ({@link SmallDatagramSteering}).
     *
     * @throws IOException with the kernel's reason when it refuses (the kernel's hash then stays)
     */
    public void steerSmallDatagramsToFirst(int sockets) throws IOException {
        SmallDatagramSteering.attach(this, sockets);
    }

    /**
     * Opens a socket bound to a multicast group's address and port, sharing the port with other
     * sockets of this host (SO_REUSEADDR), that receives only datagrams sent to that group
     * (IP_MULTICAST_ALL off). Join the group with {@link #joinGroup}.
     */
    public static UdpSocket openGroup(Inet4Address group, int port) throws IOException {
        UdpSocket socket = open(group, port, false, LibC.SO_REUSEADDR);
        try {
            Multicast.onlyJoinedGroups(socket.fd, "cannot open UDP socket on " + socket.local);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /** {@code reuse}: SO_REUSEADDR or SO_REUSEPORT to share the address and port, 0 not to. */
    private static UdpSocket open(Inet4Address bindAddress, int port, boolean zeroChecksum, int reuse) throws IOException {
        LibC.requireSupportedPlatform();
        String local = bindAddress.getHostAddress() + ":" + port;
        String what = "cannot open UDP socket on " + local;
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException(what + ": " + LibC.errorText(Native.getLastError()));
        }
        try {
            setInt(fd, LibC.IPPROTO_IP, LibC.IP_MTU_DISCOVER, LibC.IP_PMTUDISC_DO, what, "IP_MTU_DISCOVER");
            if (zeroChecksum) {
                setInt(fd, LibC.SOL_SOCKET, LibC.SO_NO_CHECK, 1, what, "SO_NO_CHECK");
            }
            if (reuse != 0) {
                setInt(fd, LibC.SOL_SOCKET, reuse, 1, what, reuse == LibC.SO_REUSEPORT ? "SO_REUSEPORT" : "SO_REUSEADDR");
            }
            long sockaddr = scratch().sockaddrIn(RawIpSocket.toInt(bindAddress), port);
            if (LibC.bind(fd, sockaddr, LibC.SOCKADDR_IN_SIZE) < 0) {
                int errno = Native.getLastError();
                if (errno == LibC.EADDRINUSE) {
                    throw new BindException(what + ": " + LibC.errorText(errno));
                }
                throw new IOException(what + ": " + LibC.errorText(errno) + (errno == LibC.EADDRNOTAVAIL ? " (not an address of this host)" : ""));
            }
            return new UdpSocket(fd, local, zeroChecksum);
        } catch (IOException | RuntimeException | Error e) {
            LibC.close(fd);
            throw e;
        }
    }

    private static void setInt(int fd, int level, int option, int value, String what, String name) throws IOException {
        int errno = setIntOption(fd, level, option, value);
        if (errno != 0) {
            throw new IOException(what + ": cannot set " + name + ": " + LibC.errorText(errno));
        }
    }

    @Override
    String description() {
        return "UDP socket on " + local;
    }

    /**
     * Turns on UDP_GRO: the kernel may then hand over several datagrams of one flow as one train,
     * with their size in a control message ({@link RecvVector#segmentSize}). Linux 5.12 or later
     * (where the setting can also be read back, which this checks).
     *
     * @return null when it is on, otherwise why not (one line, for the operator)
     */
    public String enableReceiveOffload() throws IOException {
        if (!Kernel.atLeast(5, 12)) {
            return Kernel.needs(5, 12);
        }
        enter();
        try {
            int errno = setIntOption(fd, LibC.SOL_UDP, LibC.UDP_GRO, 1);
            if (errno != 0) {
                return "setsockopt UDP_GRO: " + LibC.errorText(errno);
            }
            int value = getIntOption(fd, LibC.SOL_UDP, LibC.UDP_GRO);
            if (value != 1) {
                return value < 0 ? "getsockopt UDP_GRO: " + LibC.errorText(-1 - value) : "UDP_GRO reads back as " + value;
            }
            return null;
        } finally {
            exit();
        }
    }

    /**
     * Checks that this socket can send trains of datagrams with UDP_SEGMENT (Linux 4.18 or later;
     * not on a socket opened with zero checksums, which the kernel refuses to segment): sets the
     * option for real and clears it again, since sends name their segment size themselves.
     *
     * @return null when it can, otherwise why not (one line, for the operator)
     */
    public String probeSendOffload() throws IOException {
        if (!Kernel.atLeast(4, 18)) {
            return Kernel.needs(4, 18);
        }
        if (zeroChecksum) {
            return "the socket sends zero UDP checksums, which Linux does not segment";
        }
        enter();
        try {
            int errno = setIntOption(fd, LibC.SOL_UDP, LibC.UDP_SEGMENT, 1400);
            if (errno != 0) {
                return "setsockopt UDP_SEGMENT: " + LibC.errorText(errno);
            }
            errno = setIntOption(fd, LibC.SOL_UDP, LibC.UDP_SEGMENT, 0);
            return errno == 0 ? null : "setsockopt UDP_SEGMENT: " + LibC.errorText(errno);
        } finally {
            exit();
        }
    }

    /**
     * Transmits zero UDP checksums (SO_NO_CHECK) or computed ones: a socket that sends trains with
     * UDP_SEGMENT must compute them, since Linux does not segment without.
     */
    public void setZeroChecksum(boolean zero) throws IOException {
        enter();
        try {
            int errno = setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_NO_CHECK, zero ? 1 : 0);
            if (errno != 0) {
                throw error("setsockopt SO_NO_CHECK", errno);
            }
            zeroChecksum = zero;
        } finally {
            exit();
        }
    }

    /** Whether recvmmsg(2) and sendmmsg(2) exist here (Linux 3.0 or later). */
    public static String probeMessageVectors() {
        return Kernel.atLeast(3, 0) ? null : Kernel.needs(3, 0);
    }

    /**
     * Sets the receive or send buffer, beyond net.core.rmem_max/wmem_max when this process may
     * (SO_RCVBUFFORCE needs CAP_NET_ADMIN), within them otherwise.
     */
    public void setBufferSizes(int bytes) throws IOException {
        enter();
        try {
            for (int[] option : new int[][] {{LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF}, {LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF}}) {
                int errno = setIntOption(fd, LibC.SOL_SOCKET, option[0], bytes);
                if (errno != 0 && (errno = setIntOption(fd, LibC.SOL_SOCKET, option[1], bytes)) != 0) {
                    throw error("setsockopt buffer size", errno);
                }
            }
        } finally {
            exit();
        }
    }


    /**
     * Waits up to timeoutMillis for one datagram and copies it into the direct buffer at offset.
     * Returns its length, 0 on timeout, {@link #TOO_BIG} for a datagram larger than the room left
     * (dropped), {@link #EMPTY} for one with no payload.
     * After a successful receive, {@link #sourceAddress()} and {@link #sourcePort()} describe the
     * sender (for the calling thread's last receive: the receive loop is single-threaded).
     */
    public int receive(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        long address = checkedAddress(direct, offset, 0) + offset;
        int room = direct.capacity() - offset;
        enter();
        try {
            NativeChannel.Scratch scratch = scratch();
            long deadline = deadline(timeoutMillis);
            for (;;) {
                scratch.buffer.putInt(SCRATCH_OUT0, LibC.SOCKADDR_IN_SIZE);
                long n = LibC.recvfrom(fd, address, room, LibC.MSG_TRUNC, scratch.address + SCRATCH_SOCKADDR, scratch.address + SCRATCH_OUT0);
                if (n >= 0) {
                    if (n > room) {
                        return TOO_BIG;
                    }
                    ByteBuffer b = scratch.buffer;
                    sourcePort = ((b.get(SCRATCH_SOCKADDR + 2) & 0xFF) << 8) | (b.get(SCRATCH_SOCKADDR + 3) & 0xFF);
                    sourceAddress = ((b.get(SCRATCH_SOCKADDR + 4) & 0xFF) << 24) | ((b.get(SCRATCH_SOCKADDR + 5) & 0xFF) << 16)
                            | ((b.get(SCRATCH_SOCKADDR + 6) & 0xFF) << 8) | (b.get(SCRATCH_SOCKADDR + 7) & 0xFF);
                    return n == 0 ? EMPTY : (int) n;
                }
                if (!mayRetryReceive(Native.getLastError(), deadline, timeoutMillis)) {
                    return 0;
                }
            }
        } finally {
            exit();
        }
    }

    /** The sender of the last receive: IPv4 as an int in network order. */
    public int sourceAddress() {
        return sourceAddress;
    }

    public int sourcePort() {
        return sourcePort;
    }

    /**
     * Sends [offset, offset+length) of a direct buffer as one datagram. Thread-safe. A datagram the
     * kernel cannot queue now is refused: the call returns false, and it is counted in {@link #droppedWrites()}; EMSGSIZE (the
     * packet would need fragmenting) and other refusals surface as IOException.
     */
    public boolean send(ByteBuffer direct, int offset, int length, int destinationIpv4, int destinationPort) throws IOException {
        long address = checkedAddress(direct, offset, length) + offset;
        enter();
        try {
            long sockaddr = scratch().sockaddrIn(destinationIpv4, destinationPort);
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
                if (errno != LibC.EINTR) {
                    throw new IOException(description() + ": send " + length + " bytes to " + RawIpSocket.format(destinationIpv4) + ":"
                            + destinationPort + ": " + LibC.errorText(errno));
                }
            }
        } finally {
            exit();
        }
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
