package org.overlaygate.core.underlay;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Decapsulator;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.os.DataPathScheduling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every underlay mux does the same way, whatever its transport: the receivers by vnet id,
 * the plugin's decapsulator, the counters, one receive thread per receiving socket (the listen
 * socket, and one per joined multicast group), the handling of one received packet (decapsulate,
 * demultiplex, deliver; every refusal counted, nothing thrown at the receive thread), and counted
 * group memberships. A transport supplies its sockets.
 */
abstract class BaseMux implements UnderlayMux {
    private static final Logger LOG = LoggerFactory.getLogger(BaseMux.class);
    static final String RECEIVE_ERROR = "receive_error";
    private static final long DELIVERY_WARNING_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final UnderlayKey key;
    private final NonBlockingHashMapLong<UnderlayReceiver> receivers = new NonBlockingHashMapLong<>();
    protected final Counters counters;
    private volatile Decapsulator decapsulator;
    private final Map<InetAddress, Group> groups = new HashMap<>();
    /** How datagrams to groups leave, once a device set it: every device on the mux shares it. */
    private GroupSending sending;
    private final Map<PacketSource, Thread> readers = new HashMap<>();
    /** How long receive threads busy-poll before they sleep (0: not at all): see {@link #busyPoll}. */
    private long busyPollNanos;
    private volatile boolean closed;
    private final Supplier<? extends InboundBatch> batches;
    /** When a failed delivery was last logged: at most one line in 10 s, whatever the packet rate (readers share it). */
    private final AtomicLong deliveryWarnedAt = new AtomicLong(System.nanoTime() - DELIVERY_WARNING_NANOS);
    /** When a failed receive was last logged, likewise. */
    private final AtomicLong receiveWarnedAt = new AtomicLong(System.nanoTime() - DELIVERY_WARNING_NANOS);

    /** A joined group: its socket, read by its own thread, and how many devices asked for it. */
    private static final class Group {
        final PacketSource source;
        final String interfaceName;
        int users;

        Group(PacketSource source, String interfaceName) {
            this.source = source;
            this.interfaceName = interfaceName;
        }
    }

    private static final class GroupSending {
        final String interfaceName;
        final int ttl;

        GroupSending(String interfaceName, int ttl) {
            this.interfaceName = interfaceName;
            this.ttl = ttl;
        }

        boolean sameAs(String otherInterface, int otherTtl) {
            return Objects.equals(interfaceName, otherInterface) && ttl == otherTtl;
        }

        @Override
        public String toString() {
            return (interfaceName == null ? "the listen address's interface" : interfaceName) + " with TTL " + ttl;
        }
    }

    BaseMux(UnderlayKey key, Supplier<? extends InboundBatch> batches) {
        this.key = key;
        this.counters = new Counters(key.toString());
        this.batches = batches;
    }

    /** Opens a socket that receives what is sent to {@code group}, joined on the interface. */
    abstract PacketSource openGroup(InetAddress group, String interfaceName) throws IOException;

    /** Makes the sending sockets send to groups through the interface, with the TTL. */
    abstract void setGroupSending(String interfaceName, int ttl) throws IOException;

    /** Closes the transport's own sockets (the listen socket and the senders). */
    abstract void closeSockets();

    /**
     * Makes every receive thread of this mux, those of groups joined later included, poll its
     * socket without sleeping for {@code nanos} before it sleeps (0: sleep at once, the default).
     */
    public final synchronized void busyPoll(long nanos) {
        busyPollNanos = Math.max(0, nanos);
        for (PacketSource s : readers.keySet()) {
            s.busyPoll(busyPollNanos);
        }
    }

    /** Starts a receive thread on {@code source}. */
    final void startReading(PacketSource source, String what) {
        startReading(source, what, false);
    }

    /**
     * Starts a receive thread on {@code source}; with {@code lightPath} (the socket that receives
     * only small datagrams) it takes the light path's scheduling ({@link DataPathScheduling#applyToDataPathThread(boolean)}).
     */
    final synchronized void startReading(PacketSource source, String what, boolean lightPath) {
        source.busyPoll(busyPollNanos);
        Thread t = new Thread(() -> receiveLoop(source, lightPath), "og-underlay " + what);
        t.setDaemon(true);
        readers.put(source, t);
        t.start();
    }

    /**
     * Receives what is queued (one packet, or a batch with recvmmsg, each possibly a GRO train of
     * datagrams), hands every datagram on, then flushes the thread's {@link InboundBatch} before
     * the next receive reuses the buffer.
     */
    private void receiveLoop(PacketSource source, boolean lightPath) {
        DataPathScheduling.applyToDataPathThread(lightPath);
        try {
            receiveUntilClosed(source);
        } finally {
            source.releaseBuffers(); // this thread was the last to touch them
        }
    }

    private void receiveUntilClosed(PacketSource source) {
        InboundBatch batch = batches.get();
        DecapResult result = new DecapResult();
        ReceiveBackoff backoff = new ReceiveBackoff();
        while (!closed) {
            int n;
            try {
                n = source.receive();
                backoff.succeeded();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                counters.drop(RECEIVE_ERROR);
                warnReceiveFailed(e);
                long wait = backoff.failed(); // a socket that keeps failing must not spin
                if (wait > 0) {
                    pause(wait);
                }
                continue;
            }
            ByteBuffer buf = source.buffer();
            for (int i = 0; i < n; i++) {
                try {
                    handle(source, i, buf, result, batch);
                } catch (RuntimeException e) { // a bug must cost the packet, never the thread
                    counters.drop(RECEIVE_ERROR);
                }
            }
            if (batch != null && n > 0) {
                try {
                    batch.flush();
                } catch (RuntimeException e) {
                    counters.drop(RECEIVE_ERROR);
                }
            }
        }
    }

    /** Packet i of the last receive: a datagram, or a GRO train of them taken apart. */
    private void handle(PacketSource source, int i, ByteBuffer buf, DecapResult result, InboundBatch batch) {
        buf.clear(); // decapsulating the last packet moved the limit; sources and devices index absolutely
        int length = source.length(i);
        if (length < 0) {
            counters.in(0);
            counters.drop(length == PacketSource.EMPTY ? DropReasons.EMPTY : source.unreadableReason());
            return;
        }
        int offset = source.offset(i);
        InetAddress sender = source.sender(i);
        int senderPort = source.senderPort(i);
        int segment = source.segmentSize(i);
        if (segment <= 0 || segment >= length) {
            counters.in(length);
            receive(buf, offset, length, result, sender, senderPort, batch);
            return;
        }
        for (int at = 0; at < length; at += segment) { // a GRO train: datagrams of segment bytes, the last maybe shorter
            int datagram = Math.min(segment, length - at);
            counters.in(datagram);
            receive(buf, offset + at, datagram, result, sender, senderPort, batch);
        }
    }

    /**
     * Handles one received datagram, its encapsulation header at [offset, offset+length):
     * decapsulates it and delivers the inner frame to the device of its vnet id. Plugin code runs
     * here, so anything it throws (a LinkageError of a half-removed bundle included) costs that
     * packet and is counted, never the thread.
     */
    private void receive(ByteBuffer buf, int offset, int length, DecapResult result, InetAddress sender, int senderPort, InboundBatch batch) {
        Decapsulator d = decapsulator;
        if (d == null) {
            counters.drop(DropReasons.NO_ENCAPSULATION);
            return;
        }
        buf.limit(offset + length).position(offset);
        try {
            if (!d.decapsulate(buf, result)) {
                refused(result);
                return;
            }
        } catch (Throwable t) {
            counters.drop(DropReasons.DECAP_ERROR);
            return;
        }
        UnderlayReceiver r = receivers.get(result.vnetId());
        if (r == null) {
            counters.drop(DropReasons.UNKNOWN_VNET);
            return;
        }
        int frame = buf.position();
        int frameLength = buf.limit() - frame;
        buf.clear(); // frames held in the batch may lie beyond this packet's end
        try {
            r.fromUnderlay(buf, frame, frameLength, sender, senderPort, batch);
        } catch (RuntimeException e) {
            counters.drop(DropReasons.DELIVERY_FAILED);
            warnDeliveryFailed(e);
        }
    }

    /**
     * Counts a packet the decapsulator refused: on the overlay its header named, when this socket
     * has one of that vnet id (what {@code overlay:stats NAME} shows), else on this socket.
     */
    private void refused(DecapResult result) {
        long vnet = result.vnetId();
        UnderlayReceiver r = vnet >= 0 ? receivers.get(vnet) : null;
        if (r != null) {
            r.refusedFromUnderlay(result.dropReason());
        } else {
            counters.drop(result.dropReason());
        }
    }

    /** Waits before the next receive after repeated failures; a test may observe it instead. */
    void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void warnReceiveFailed(Exception e) {
        long now = System.nanoTime();
        long last = receiveWarnedAt.get();
        if (now - last >= DELIVERY_WARNING_NANOS && receiveWarnedAt.compareAndSet(last, now)) {
            LOG.warn("underlay {}: receiving failed: {} (retried with a growing pause up to {} ms; further failures for 10 s are only "
                    + "counted, as {})", key, e.toString(), ReceiveBackoff.MAX_MILLIS, RECEIVE_ERROR);
        }
    }

    private void warnDeliveryFailed(RuntimeException e) {
        long now = System.nanoTime();
        long last = deliveryWarnedAt.get();
        if (now - last >= DELIVERY_WARNING_NANOS && deliveryWarnedAt.compareAndSet(last, now)) {
            LOG.warn("underlay {}: a frame could not be delivered: {} (further failures for 10 s are only counted, as {})", key,
                    e.toString(), DropReasons.DELIVERY_FAILED);
        }
    }

    /** Counts the packets of [from, to) of a batch the kernel took as this mux's output. */
    final void countSent(SendBatch batch, int from, int to) {
        for (int k = from; k < to; k++) {
            if (batch.outcome[k] == null) {
                counters.out(batch.length[k]);
            }
        }
    }

    @Override
    public final synchronized AutoCloseable joinGroup(InetAddress group, String interfaceName, int ttl) throws DataPathException {
        if (!group.isMulticastAddress()) {
            throw new DataPathException(group.getHostAddress() + " is not a multicast address");
        }
        if (group.getAddress().length != key.listen().address().getAddress().length) {
            throw new DataPathException("group " + group.getHostAddress() + " and listen address " + key.listen().address().getHostAddress()
                    + " are not of the same IP version");
        }
        if (sending != null && !sending.sameAs(interfaceName, ttl)) {
            throw new DataPathException("underlay " + key + " already sends to groups through " + sending + " for another overlay");
        }
        Group g = groups.get(group);
        if (g != null && !Objects.equals(g.interfaceName, interfaceName)) {
            throw new DataPathException("underlay " + key + " already joined " + group.getHostAddress() + " on "
                    + (g.interfaceName == null ? "the listen address's interface" : g.interfaceName) + " for another overlay");
        }
        try {
            if (sending == null) {
                setGroupSending(interfaceName, ttl);
                sending = new GroupSending(interfaceName, ttl);
            }
            if (g == null) {
                g = new Group(openGroup(group, interfaceName), interfaceName);
                groups.put(group, g);
                startReading(g.source, key + " group " + group.getHostAddress());
                LOG.info("underlay {} joined {}{}", key, group.getHostAddress(), interfaceName == null ? "" : " on " + interfaceName);
            }
        } catch (IOException e) {
            if (groups.isEmpty()) {
                sending = null;
            }
            throw new DataPathException(e.getMessage(), e);
        }
        g.users++;
        Group joined = g;
        boolean[] left = {false};
        return () -> leave(group, joined, left);
    }

    private synchronized void leave(InetAddress group, Group g, boolean[] left) {
        if (left[0]) {
            return;
        }
        left[0] = true;
        if (--g.users > 0) {
            return;
        }
        groups.remove(group, g);
        stopReading(g.source);
        LOG.info("underlay {} left {}", key, group.getHostAddress());
        if (groups.isEmpty()) {
            sending = null; // the next group may choose again
        }
    }

    private void stopReading(PacketSource source) {
        source.close();
        Thread t = readers.remove(source);
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public final void close() {
        closed = true;
        synchronized (this) {
            for (Group g : groups.values()) {
                g.source.close();
            }
            groups.clear();
            closeSockets();
            for (Thread t : readers.values()) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            readers.clear();
        }
        LOG.info("underlay {} closed", key);
    }

    @Override
    public final UnderlayKey key() {
        return key;
    }

    @Override
    public final void attach(long vnetId, UnderlayReceiver r) throws DataPathException {
        UnderlayReceiver existing = receivers.putIfAbsent(vnetId, r);
        if (existing != null && existing != r) {
            throw new DataPathException("vnet id " + vnetId + " is already used on underlay " + key + " by " + existing);
        }
    }

    @Override
    public final void detach(long vnetId, UnderlayReceiver r) {
        receivers.remove(vnetId, r);
    }

    @Override
    public final int attached() {
        return receivers.size();
    }

    @Override
    public final void setDecapsulator(Decapsulator d) {
        this.decapsulator = d;
    }

    @Override
    public final DeviceStats.Counters stats() {
        return counters.snapshot();
    }

    @Override
    public String toString() {
        return key.toString();
    }
}
