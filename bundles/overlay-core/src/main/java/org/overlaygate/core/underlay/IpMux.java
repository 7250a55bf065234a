package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.base.Offload;
import org.overlaygate.core.base.OffloadState;
import org.overlaygate.core.os.Multicast;
import org.overlaygate.core.os.RawIpSocket;
import org.overlaygate.core.os.RecvVector;
import org.overlaygate.core.os.SendVector;
import org.overlaygate.core.os.UdpSocket;
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
    /** Packets one recvmmsg takes. */
    static final int SLOTS = 32;
    /** A whole IPv4 packet: the header (up to 60 bytes), the encapsulation header and a jumbo frame. */
    private static final int PACKET_ROOM = 60 + BufferLayout.HEADROOM + BufferLayout.MAX_FRAME;

    private final RawIpSocket socket;
    private final int protocol;
    private final int bufferBytes;
    private final OffloadState offloads;
    private final Sender sender;

    private IpMux(UnderlayKey key, RawIpSocket socket, int protocol, int bufferBytes, OffloadState offloads,
            Supplier<? extends InboundBatch> batches) {
        super(key, batches);
        this.socket = socket;
        this.protocol = protocol;
        this.bufferBytes = bufferBytes;
        this.offloads = offloads;
        this.sender = new Sender(socket);
    }

    /** Opens the mux with every offload allowed and no delivery batches (tests). */
    public static IpMux open(UnderlayKey key, int protocol, int socketBufferBytes) throws DataPathException {
        return open(key, protocol, socketBufferBytes, EnumSet.allOf(Offload.class), () -> null);
    }

    /**
     * Opens the raw socket for {@code protocol} on the key's (IPv4) listen address. Raw IP has no
     * segmentation offload either way; of the offloads only {@code mmsg} applies (batches of packets
     * per recvmmsg and sendmmsg).
     *
     * @throws DataPathException for an IPv6 address or when the OS refuses (no CAP_NET_RAW ...)
     */
    public static IpMux open(UnderlayKey key, int protocol, int socketBufferBytes, Set<Offload> allowed,
            Supplier<? extends InboundBatch> batches) throws DataPathException {
        InetAddress listen = key.listen().address();
        if (!(listen instanceof Inet4Address)) {
            throw new DataPathException("IP-protocol underlays need an IPv4 listen address; " + listen.getHostAddress() + " is IPv6");
        }
        try {
            RawIpSocket raw = RawIpSocket.open(protocol, (Inet4Address) listen);
            setBuffers(raw, socketBufferBytes, key);
            OffloadState state = new OffloadState(EnumSet.of(Offload.MMSG));
            state.settle(Offload.MMSG, allowed.contains(Offload.MMSG) ? UdpSocket.probeMessageVectors() : OffloadState.OFF_BY_SETTING);
            IpMux u = new IpMux(key, raw, protocol, socketBufferBytes, state, batches);
            u.startReading(new RawSource(raw, state.uses(Offload.MMSG)), key.toString());
            LOG.info("underlay {} open, offloads {}", key, state.describe());
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
        String refused = sender.sendOne(buf, offset, length, destination);
        if (refused == null) {
            counters.out(length);
        }
        return refused;
    }

    @Override
    public void send(SendBatch batch, int from, int to) {
        if (offloads.uses(Offload.MMSG)) {
            batch.sendThrough(sender, from, to, false, false);
        } else {
            for (int i = from; i < to; i++) {
                batch.outcome[i] = sender.sendOne(batch.buffer[i], batch.offset[i], batch.length[i], batch.destination[i]);
            }
        }
        countSent(batch, from, to);
    }

    @Override
    public Map<String, String> offloads() {
        return offloads.describe();
    }

    /** The raw socket as a batch sends through it. */
    private static final class Sender implements SendBatch.MessageSocket {
        private final RawIpSocket raw;

        Sender(RawIpSocket raw) {
            this.raw = raw;
        }

        @Override
        public int send(SendVector v, int first) throws IOException {
            return raw.send(v, first);
        }

        @Override
        public String sendOne(ByteBuffer buf, int off, int len, UnderlayAddress destination) {
            try {
                if (!destination.isIpv4()) {
                    return DropReasons.SEND_FAILED;
                }
                return raw.send(buf, off, len, destination.ipv4Bits()) ? null : DropReasons.SEND_QUEUE_FULL;
            } catch (IOException e) {
                return DropReasons.SEND_FAILED;
            } finally {
                buf.clear();
            }
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
            return new RawSource(raw, offloads.uses(Offload.MMSG));
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

    /**
     * Reads whole IPv4 packets from a raw socket, up to {@value #SLOTS} per recvmmsg (one per
     * recvmsg without mmsg), and points at their payload.
     */
    private static final class RawSource implements PacketSource {
        private final RawIpSocket raw;
        private final boolean many;
        private final RecvVector received;
        private final SenderCache senders = new SenderCache();

        RawSource(RawIpSocket raw, boolean many) {
            this.raw = raw;
            this.many = many;
            this.received = new RecvVector(many ? SLOTS : 1, PACKET_ROOM, 0);
        }

        @Override
        public void busyPoll(long nanos) {
            raw.setBusyPoll(nanos);
        }

        @Override
        public int receive() throws IOException {
            return raw.receive(received, UdpEndpoint.POLL_MILLIS, many);
        }

        @Override
        public ByteBuffer buffer() {
            return received.buffer();
        }

        @Override
        public int offset(int i) {
            return received.offset(i) + Math.max(0, RawIpSocket.ipv4HeaderLength(received.buffer(), received.offset(i), received.length(i)));
        }

        @Override
        public int length(int i) {
            int n = received.length(i);
            int header = received.truncated(i) ? -1 : RawIpSocket.ipv4HeaderLength(received.buffer(), received.offset(i), n);
            if (header < 0) {
                return UNREADABLE;
            }
            int total = received.buffer().getShort(received.offset(i) + 2) & 0xFFFF; // the IP length, not any padding
            return total == header ? EMPTY : total - header;
        }

        @Override
        public int segmentSize(int i) {
            return 0;
        }

        @Override
        public InetAddress sender(int i) {
            return senders.of(received.sourceAddress(i));
        }

        @Override
        public int senderPort(int i) {
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

        @Override
        public void releaseBuffers() {
            received.free();
        }
    }
}
