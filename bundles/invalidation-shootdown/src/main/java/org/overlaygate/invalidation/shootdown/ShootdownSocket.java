package org.overlaygate.invalidation.shootdown;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket bound to an underlay address and the SHOOTDOWN port, shared by the overlays
 * listening there, with one receiving thread. A datagram must be exactly one SHOOTDOWN message
 * (16-byte header, 12-byte payload, version 1, a matching CRC) naming a vnet one of those overlays
 * has; anything else is counted on each of them and ignored. Sending uses the same socket, so a
 * SHOOTDOWN leaves from the overlay's own underlay address.
 */
final class ShootdownSocket {
    private static final Logger LOG = LoggerFactory.getLogger(ShootdownSocket.class);
    static final int MESSAGE_SIZE = Svp.HEADER_SIZE + Svp.SHOOTDOWN_SIZE;
    static final String MALFORMED = "shootdown_dropped_malformed";
    static final String BAD_CRC = "shootdown_dropped_bad_crc";
    static final String UNKNOWN_VNET = "shootdown_dropped_unknown_vnet";

    /** An overlay listening here. */
    interface Receiver {
        /** A valid SHOOTDOWN for this overlay's vnet. */
        void shotDown(long mac, SocketAddress from);

        /** Counts a datagram that was dropped, on this overlay. */
        void count(String event);
    }

    private final InetSocketAddress address;
    private final DatagramChannel channel;
    private final Map<Long, List<Receiver>> byVnet = new ConcurrentHashMap<>();
    private final List<Receiver> all = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Thread thread;

    ShootdownSocket(InetSocketAddress address) throws IOException {
        this.address = address;
        this.channel = DatagramChannel.open(address.getAddress() instanceof java.net.Inet6Address
                ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        try {
            channel.bind(address);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        thread = new Thread(this::receive, "og-shootdown " + address);
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return address;
    }

    void register(long vnetId, Receiver r) {
        byVnet.computeIfAbsent(vnetId, v -> new CopyOnWriteArrayList<>()).add(r);
        all.add(r);
    }

    void unregister(long vnetId, Receiver r) {
        List<Receiver> list = byVnet.get(vnetId);
        if (list != null) {
            list.remove(r);
        }
        all.remove(r);
    }

    /** Sends SHOOTDOWN(mac, vnet) to {@code to}; false when the kernel refused it. */
    boolean send(long vnetId, long mac, InetSocketAddress to) {
        byte[] message = Frame.encode(Svp.OP_SHOOTDOWN, ids.incrementAndGet(), new Messages.Shootdown(mac, vnetId).encode());
        try {
            return channel.send(ByteBuffer.wrap(message), to) == message.length;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(512); // a longer datagram is cut to this, and refused as too long anyway
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.debug("shootdown socket {}: {}", address, e.toString());
                continue; // ICMP errors of earlier sends surface here: nothing to do with this datagram
            }
            buf.flip();
            handle(buf, from);
        }
    }

    /** Checks one datagram and hands it to the overlay of its vnet; never throws. */
    void handle(ByteBuffer datagram, SocketAddress from) {
        if (datagram.remaining() != MESSAGE_SIZE) {
            countAll(MALFORMED);
            return;
        }
        byte[] bytes = new byte[MESSAGE_SIZE];
        datagram.get(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if ((b.getShort(0) & 0xFFFF) != Svp.VERSION || (b.getShort(2) & 0xFFFF) != Svp.OP_SHOOTDOWN
                || b.getInt(4) != Svp.SHOOTDOWN_SIZE) {
            countAll(MALFORMED);
            return;
        }
        if (b.getInt(12) != Frame.crc(bytes, 0, bytes.length)) {
            countAll(BAD_CRC);
            return;
        }
        Messages.Shootdown s;
        try {
            s = Messages.Shootdown.decode(java.util.Arrays.copyOfRange(bytes, Svp.HEADER_SIZE, MESSAGE_SIZE));
        } catch (ProtocolException e) {
            countAll(MALFORMED);
            return;
        }
        List<Receiver> to = byVnet.get(s.vnetId());
        if (to == null || to.isEmpty()) {
            countAll(UNKNOWN_VNET);
            return;
        }
        for (Receiver r : to) {
            r.shotDown(s.mac(), from);
        }
    }

    private void countAll(String event) {
        for (Receiver r : all) {
            r.count(event);
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
