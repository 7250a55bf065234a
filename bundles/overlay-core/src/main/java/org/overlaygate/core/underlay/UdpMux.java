package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.core.base.Offload;
import org.overlaygate.core.base.OffloadState;
import org.overlaygate.core.os.DeviceChecksums;
import org.overlaygate.core.os.UdpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP underlay (VXLAN): the sockets bound to the listen address and port receive, each on its
 * own thread (one, or several sharing the port: {@link UdpEndpoint#openReceivers}); a pool of
 * sockets bound to ports of the {@link SourcePorts} range sends, the socket chosen by the inner
 * flow's hash. Over IPv4 the sockets set DF (the kernel refuses, rather than
 * fragments, an outer packet too large for the path: RFC 7348 "MUST NOT fragment"); receive accepts
 * any checksum, including zero. Devices refuse inner frames larger than their MTU, so with an
 * overlay MTU that fits the underlay nothing is ever refused. Each joined multicast group has a
 * socket of its own, bound to the group and the listen port (RFC 7348 section 4.2's flood-and-learn).
 *
 * <h2>Offloads</h2>
 * Probed when the mux opens, each falling back on its own with one log line (IPv4 only):
 * <ul>
 * <li>{@code mmsg}: receive up to 32 datagrams per recvmmsg, send a batch per sendmmsg;</li>
 * <li>{@code udp_gro} on the receiving sockets: the kernel hands over a train of datagrams of one
 * flow as one (up to 64 KiB), split here by the segment size it reports;</li>
 * <li>{@code udp_gso} on the sending pool: consecutive packets of one flow to one destination leave
 * as one train (UDP_SEGMENT), cut by the kernel (or the NIC). Linux segments only datagrams with a
 * UDP checksum, so while GSO is on the pool sends computed checksums instead of the zero ones RFC
 * 7348 section 5 recommends (it allows either; the NIC or the loopback device computes them, at no
 * cost to the appliance). Should the kernel refuse a train later (EIO: the route's device cannot
 * checksum), GSO goes off for good, with zero checksums again. Off by default where the device of
 * the listen address completes no checksums ({@link DeviceChecksums}: a veth, a TAP, a bridge of
 * them): there the partial checksums reach the other end as they are, and a switch reading it with
 * AF_PACKET (Open vSwitch's userspace datapath) drops every packet. {@code +udp_gso} in the
 * operator's setting forces it (two kernels on one machine take partial checksums).</li>
 * </ul>
 * One case UDP_GRO gets wrong, and no socket option can tell: a kernel VXLAN device on this same
 * machine whose offloads are on, behind a veth, hands the socket its 64 KiB tunnel segments uncut,
 * reporting the inner segment size as if it were a train's; they are cut wrongly and dropped (as
 * malformed here, or as truncated by the stack behind the TAP), never delivered as data. Its inner checksums are left partial then too, so no userspace receiver can take its
 * TCP in that setup with or without GRO; {@code ethtool -K vx0 tx off} on that device (what a NIC's
 * checksum offload does for real hosts) fixes both.
 */
public final class UdpMux extends BaseMux {
    private static final Logger LOG = LoggerFactory.getLogger(UdpMux.class);
    static final String QUEUES = "udp_mq";

    /** The sockets on the listen address and port, each read by its own thread. */
    private final UdpEndpoint[] receivers;
    /** Null when small datagrams have the first receiving socket to themselves, else why not. */
    private final String steering;
    private final UdpEndpoint[] senders;
    private final int[] senderPorts;
    private final int bufferBytes;
    private final OffloadState offloads;
    private final Set<Offload> allowed;

    private UdpMux(UnderlayKey key, UdpEndpoint[] receivers, String steering, UdpEndpoint[] senders, int[] senderPorts, int bufferBytes,
            Set<Offload> allowed, OffloadState offloads, Supplier<? extends InboundBatch> batches) {
        super(key, batches);
        this.receivers = receivers;
        this.steering = steering;
        this.senders = senders;
        this.senderPorts = senderPorts;
        this.bufferBytes = bufferBytes;
        this.allowed = allowed;
        this.offloads = offloads;
    }

    /** Opens the mux with every offload allowed and no delivery batches (tests). */
    public static UdpMux open(UnderlayKey key, SourcePorts ports, int socketBufferBytes) throws DataPathException {
        return open(key, ports, socketBufferBytes, EnumSet.allOf(Offload.class), () -> null);
    }

    /**
     * Opens the receive socket and the sending pool, settles the offloads {@code allowed} by probing
     * them, and starts receiving.
     *
     * @param batches makes each receive thread's {@link InboundBatch}
     * @throws DataPathException with the OS's reason when a socket cannot be opened
     */
    public static UdpMux open(UnderlayKey key, SourcePorts ports, int socketBufferBytes, Set<Offload> allowed,
            Supplier<? extends InboundBatch> batches) throws DataPathException {
        return open(key, ports, socketBufferBytes, allowed, EnumSet.noneOf(Offload.class), batches);
    }

    /**
     * The same, with the offloads the operator {@code forced} ({@code +udp_gso}: trains even where
     * the underlay device completes no checksums), and one receiving socket.
     */
    public static UdpMux open(UnderlayKey key, SourcePorts ports, int socketBufferBytes, Set<Offload> allowed, Set<Offload> forced,
            Supplier<? extends InboundBatch> batches) throws DataPathException {
        return open(key, ports, 1, socketBufferBytes, allowed, forced, batches);
    }

    /**
     * The same, with {@code receiveSockets} sockets on the listen address and port over IPv4
     * ({@link UdpEndpoint#openReceivers}: flows spread over them, each socket read by its own
     * thread).
     */
    public static UdpMux open(UnderlayKey key, SourcePorts ports, int receiveSockets, int socketBufferBytes, Set<Offload> allowed,
            Set<Offload> forced, Supplier<? extends InboundBatch> batches) throws DataPathException {
        UnderlayAddress listen = key.listen();
        List<UdpEndpoint> opened = new ArrayList<>();
        boolean wantGso = allowed.contains(Offload.UDP_GSO) && allowed.contains(Offload.MMSG);
        try {
            UdpEndpoint.Receivers receivers = UdpEndpoint.openReceivers(listen.address(), listen.port(), socketBufferBytes, receiveSockets);
            UdpEndpoint[] rx = receivers.sockets().toArray(new UdpEndpoint[0]);
            opened.addAll(Arrays.asList(rx));
            if (receivers.steering() != null) {
                LOG.warn("underlay {}: {}; the kernel's hash spreads all datagrams over the {} sockets", key, receivers.steering(),
                        rx.length);
            }
            UdpEndpoint[] tx = new UdpEndpoint[ports.poolSize];
            int[] txPorts = new int[ports.poolSize];
            int start = Math.floorMod(listen.hashCode(), ports.range());
            for (int i = 0; i < tx.length; i++) {
                for (int probe = 0; tx[i] == null; probe++) {
                    if (probe >= ports.range()) {
                        throw new DataPathException("no free UDP source ports in " + ports + " on " + listen.address().getHostAddress());
                    }
                    int port = ports.candidate(start, i, probe);
                    try {
                        tx[i] = UdpEndpoint.open(listen.address(), port, socketBufferBytes, !wantGso);
                        opened.add(tx[i]);
                        txPorts[i] = port;
                    } catch (BindException busy) {
                        // taken (by another process, or by a socket of this pool): try the next port
                    }
                }
            }
            OffloadState state = new OffloadState(EnumSet.of(Offload.MMSG, Offload.UDP_GRO, Offload.UDP_GSO));
            settle(state, allowed, forced.contains(Offload.UDP_GSO), listen.address(), rx, tx);
            for (int i = 0; i < rx.length; i++) {
                rx[i].prepareReceive(state.uses(Offload.MMSG), state.uses(Offload.UDP_GRO));
            }
            UdpMux u = new UdpMux(key, rx, receivers.steering(), tx, txPorts, socketBufferBytes, allowed, state, batches);
            for (int i = 0; i < rx.length; i++) {
                // the first socket of a steered group receives only small datagrams: the light path's
                u.startReading(rx[i], rx.length == 1 ? key.toString() : key + " #" + i, i == 0 && rx.length > 1 && receivers.steering() == null);
            }
            LOG.info("underlay {} open, {} receiving socket(s), source ports {}, offloads {}", key, rx.length, Arrays.toString(txPorts),
                    state.describe());
            return u;
        } catch (IOException | DataPathException e) {
            opened.forEach(UdpEndpoint::close);
            opened.forEach(UdpEndpoint::releaseBuffers); // no receive thread was started
            throw e instanceof DataPathException ? (DataPathException) e
                    : new DataPathException("cannot open UDP underlay " + listen + ": " + e.getMessage(), e);
        }
    }

    /**
     * Probes what is allowed: mmsg by the kernel's version, GRO and GSO by turning them on; GSO
     * only where the underlay device's partial checksums get completed (or it is forced).
     */
    private static void settle(OffloadState state, Set<Offload> allowed, boolean gsoForced, InetAddress listen, UdpEndpoint[] rx,
            UdpEndpoint[] tx) throws IOException {
        boolean ipv6 = rx[0] instanceof JdkUdpEndpoint;
        if (ipv6) {
            for (Offload f : List.of(Offload.MMSG, Offload.UDP_GRO, Offload.UDP_GSO)) {
                state.off(f, allowed.contains(f) ? JdkUdpEndpoint.NO_OFFLOADS : OffloadState.OFF_BY_SETTING);
            }
            return;
        }
        state.settle(Offload.MMSG, allowed.contains(Offload.MMSG) ? UdpSocket.probeMessageVectors() : OffloadState.OFF_BY_SETTING);
        String gro = allowed.contains(Offload.UDP_GRO) ? rx[0].enableReceiveOffload() : OffloadState.OFF_BY_SETTING;
        for (int i = 1; gro == null && i < rx.length; i++) {
            gro = rx[i].enableReceiveOffload(); // the kernel that took it on one takes it on all
        }
        state.settle(Offload.UDP_GRO, gro);
        String gso;
        if (!allowed.contains(Offload.UDP_GSO)) {
            gso = OffloadState.OFF_BY_SETTING;
        } else if (!state.uses(Offload.MMSG)) {
            gso = "needs mmsg (trains are sent with sendmmsg)";
        } else {
            gso = checksumsLeftPartial(listen, gsoForced);
            for (int i = 0; gso == null && i < tx.length; i++) {
                gso = tx[i].probeSendOffload();
            }
        }
        state.settle(Offload.UDP_GSO, gso);
        if (gso != null) {
            for (UdpEndpoint e : tx) {
                e.setZeroChecksum(true); // RFC 7348's zero checksums, as without GSO
            }
        }
    }

    /**
     * Why GSO must stay off on sockets of {@code listen}: its device completes no checksums, so
     * the partial UDP checksums of a train's datagrams would reach the wire (and a software switch
     * reading the device with AF_PACKET, which drops them) as they are; null when they get
     * completed, when it cannot be known, or when the operator forced GSO.
     */
    static String checksumsLeftPartial(InetAddress listen, boolean forced) {
        DeviceChecksums.Verdict v = DeviceChecksums.of(listen);
        if (v.kind != DeviceChecksums.Kind.SOFTWARE) {
            LOG.info("underlay {}: udp_gso allowed: {}", listen.getHostAddress(), v);
            return null;
        }
        if (forced) {
            LOG.warn("underlay {}: udp_gso forced (+udp_gso) although {}: its UDP checksums leave partial, and a software switch"
                    + " reading that device (Open vSwitch's userspace datapath) drops them", listen.getHostAddress(), v.why);
            return null;
        }
        return "the underlay device completes no checksums (" + v.why + "), and a switch reading it in software would drop"
                + " the partial ones GSO leaves; +udp_gso in overlaygate.core.offloads forces it";
    }

    /** The kernel refused a GSO train: GSO goes off for good, and the pool sends zero checksums again. */
    void sendOffloadRefused(String refusal) {
        synchronized (offloads) {
            if (!offloads.uses(Offload.UDP_GSO)) {
                return;
            }
            offloads.off(Offload.UDP_GSO, "the kernel refused a train (" + refusal + ")");
        }
        for (UdpEndpoint e : senders) {
            try {
                e.setZeroChecksum(true);
            } catch (IOException ex) {
                // closing: nothing left to send
            }
        }
        LOG.warn("underlay {}: udp_gso off from now on: the kernel refused a train of datagrams ({})", key(), refusal);
    }

    /** The source ports of the sending pool, in pool order. */
    public int[] sourcePorts() {
        return senderPorts.clone();
    }

    /** The pool socket a flow hash selects. */
    static int poolIndex(int flowHash, int poolSize) {
        return Math.floorMod(flowHash, poolSize);
    }

    @Override
    public String send(ByteBuffer buf, int offset, int length, UnderlayAddress destination, int flowHash) {
        String refused = senders[poolIndex(flowHash, senders.length)].send(buf, offset, length, destination);
        if (refused == null) {
            counters.out(length);
        }
        return refused;
    }

    @Override
    public void send(SendBatch batch, int from, int to) {
        boolean mmsg = offloads.uses(Offload.MMSG);
        boolean gso = offloads.uses(Offload.UDP_GSO);
        int i = from;
        while (i < to) {
            UdpEndpoint e = senders[poolIndex(batch.flowHash[i], senders.length)];
            int j = i + 1;
            while (j < to && senders[poolIndex(batch.flowHash[j], senders.length)] == e) {
                j++;
            }
            e.send(batch, i, j, mmsg, gso, this);
            i = j;
        }
        countSent(batch, from, to);
    }

    /** The offloads, and {@value #QUEUES}: how many sockets receive ({@link UdpEndpoint#openReceivers}). */
    @Override
    public Map<String, String> offloads() {
        Map<String, String> out = new LinkedHashMap<>(offloads.describe());
        String spread = steering == null ? ", small datagrams on the first" : ", by hash alone";
        out.put(QUEUES, receivers.length > 1 ? "on: " + receivers.length + " sockets" + spread
                : receivers[0] instanceof JdkUdpEndpoint ? "off: one socket over IPv6" : "off: one socket (underlayQueues)");
        return out;
    }

    @Override
    PacketSource openGroup(InetAddress group, String interfaceName) throws IOException {
        UdpEndpoint e = UdpEndpoint.openGroup(group, key().listen().port(), interfaceName, key().listen().address(), bufferBytes);
        boolean gro = offloads.uses(Offload.UDP_GRO) && allowed.contains(Offload.UDP_GRO);
        if (gro) {
            String refusal = e.enableReceiveOffload();
            if (refusal != null) {
                gro = false;
                LOG.info("underlay {}: group socket {} without udp_gro: {}", key(), group.getHostAddress(), refusal);
            }
        }
        e.prepareReceive(offloads.uses(Offload.MMSG), gro);
        return e;
    }

    @Override
    void setGroupSending(String interfaceName, int ttl) throws IOException {
        for (UdpEndpoint e : senders) {
            e.setGroupSending(interfaceName, key().listen().address(), ttl);
        }
    }

    @Override
    void closeSockets() {
        for (UdpEndpoint e : receivers) {
            e.close();
        }
        for (UdpEndpoint e : senders) {
            e.close();
        }
    }
}
