package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.Multicast;
import org.overlaygate.core.os.RawIpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IP-protocol underlay (NVGRE: protocol 47): one raw IPv4 socket bound to the listen address,
 * owned by the core and shared by every overlay on that address, demultiplexed by vnet id (VSID).
 * Java has no raw IP sockets, so this goes through {@link RawIpSocket} (JNA); the kernel adds the
 * outer IPv4 header, routes and resolves neighbours, and sets DF so nothing is fragmented. Why a
 * raw socket rather than pcap injection is explained on {@link RawIpSocket}. A joined multicast
 * group gets a raw socket of its own, bound to the group.
 */
public final class IpMux extends BaseMux {
    private static final Logger LOG = LoggerFactory.getLogger(IpMux.class);
    static final String MALFORMED_IP = "malformed_ip";

    private final RawIpSocket socket;
    private final int protocol;
    private final int bufferBytes;

    private IpMux(UnderlayKey key, RawIpSocket socket, int protocol, int bufferBytes) {
        super(key);
        this.socket = socket;
        this.protocol = protocol;
        this.bufferBytes = bufferBytes;
    }

    /**
     * Opens the raw socket for {@code protocol} on the key's (IPv4) listen address.
     *
     * @throws DataPathException for an IPv6 address or when the OS refuses (no CAP_NET_RAW ...)
     */
    public static IpMux open(UnderlayKey key, int protocol, int socketBufferBytes) throws DataPathException {
        InetAddress listen = key.listen().address();
        if (!(listen instanceof Inet4Address)) {
            throw new DataPathException("IP-protocol underlays need an IPv4 listen address; " + listen.getHostAddress() + " is IPv6");
        }
        try {
            RawIpSocket raw = RawIpSocket.open(protocol, (Inet4Address) listen);
            setBuffers(raw, socketBufferBytes, key);
            IpMux u = new IpMux(key, raw, protocol, socketBufferBytes);
            u.startReading(new RawSource(raw), key.toString());
            LOG.info("underlay {} open", key);
            return u;
        } catch (IOException e) {
            throw new DataPathException("cannot open the " + key + " underlay: " + e.getMessage(), e);
        }
    }

    private static void setBuffers(RawIpSocket raw, int bytes, UnderlayKey key) {
        try {
            raw.setReceiveBufferSize(bytes);
            raw.setSendBufferSize(bytes);
        } catch (IOException e) {
            LOG.info("underlay {}: socket buffers left at the system default: {}", key, e.getMessage());
        }
    }

    @Override
    public String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
        try {
            if (!destination.isIpv4()) {
                return DropReasons.SEND_FAILED;
            }
            if (!socket.send(buf, offset, length, destination.ipv4Bits())) {
                return DropReasons.SEND_QUEUE_FULL;
            }
            counters.out(length);
            return null;
        } catch (IOException e) {
            return DropReasons.SEND_FAILED;
        } finally {
            buf.clear();
        }
    }

    @Override
    PacketSource openGroup(InetAddress group, String interfaceName) throws IOException {
        if (!(group instanceof Inet4Address)) {
            throw new IOException("IP-protocol underlays join IPv4 groups only");
        }
        RawIpSocket raw = RawIpSocket.openGroup(protocol, (Inet4Address) group);
        try {
            setBuffers(raw, bufferBytes, key());
            int ifindex = interfaceName == null ? 0 : Multicast.interfaceIndex(interfaceName);
            raw.joinGroup(UdpEndpoint.ipv4(group), interfaceName == null ? UdpEndpoint.ipv4(key().listen().address()) : 0, ifindex, true);
            return new RawSource(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Override
    void setGroupSending(String interfaceName, int ttl) throws IOException {
        int ifindex = interfaceName == null ? 0 : Multicast.interfaceIndex(interfaceName);
        socket.setMulticastSending(interfaceName == null ? UdpEndpoint.ipv4(key().listen().address()) : 0, ifindex, ttl, false);
    }

    @Override
    void closeSockets() {
        socket.close();
    }

    /** Reads whole IPv4 packets from a raw socket and points the buffer at their payload. */
    private static final class RawSource implements PacketSource {
        private final RawIpSocket raw;
        private final SenderCache senders = new SenderCache();

        RawSource(RawIpSocket raw) {
            this.raw = raw;
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
            // At offset 0: the IPv4 header (20 bytes or more) in front of the payload leaves the
            // room a VNIC may use in front of the inner frame.
            int n = raw.receive(buf, 0, UdpEndpoint.POLL_MILLIS);
            if (n == 0) {
                return NOTHING;
            }
            if (n < 0) {
                return UNREADABLE;
            }
            int payload = raw.payloadOffset();
            buf.limit(n).position(payload);
            return n == payload ? EMPTY : n - payload;
        }

        @Override
        public InetAddress lastSender() {
            return senders.of(raw.sourceAddress());
        }

        @Override
        public int lastSenderPort() {
            return 0;
        }

        @Override
        public String unreadableReason() {
            return MALFORMED_IP;
        }

        @Override
        public void close() {
            raw.close();
        }
    }
}
