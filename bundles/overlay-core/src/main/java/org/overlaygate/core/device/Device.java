package org.overlaygate.core.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.SnoopedFrame;
import org.overlaygate.api.datapath.StaleTargetHandler;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlayReceiver;
import org.overlaygate.core.underlay.UnderlaySocket;

/**
 * One overlay: its virtual switch, target cache and encapsulation. See the package overview for
 * the walk of a frame through it.
 *
 * <p>Threads: every VNIC's reader thread calls {@link #fromVnic}; every underlay socket's receive
 * thread calls {@link #fromUnderlay}; varpd's threads answer misses. The frame paths take no lock
 * unless they touch a PENDING entry; the VNIC set and the encapsulation are immutable snapshots
 * swapped through volatile fields.
 */
public final class Device implements OverlayDevice, UnderlayReceiver {
    /** Room in front of every frame buffer for the largest encapsulation header. */
    public static final int HEADROOM = 64;
    /** Largest frame a buffer must hold: jumbo MTU 9000 plus Ethernet, VLAN tags and slack. */
    public static final int MAX_FRAME = 9216;
    private static final int ETHERNET_HEADER = 14;
    private static final int VLAN_TAG = 4;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final long STALE_REPORT_INTERVAL_NANOS = 1_000_000_000L;
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(HEADROOM + MAX_FRAME));

    /** The encapsulation in use, swapped as a whole. */
    private static final class EncapState {
        final EncapsulationPlugin plugin;
        final Encapsulator encapsulator;
        final int headerLength;
        final boolean stripVlan;
        final UnderlaySocket socket;

        EncapState(EncapsulationPlugin plugin, Encapsulator encapsulator, UnderlaySocket socket) {
            this.plugin = plugin;
            this.encapsulator = encapsulator;
            this.headerLength = plugin.headerLength();
            this.stripVlan = !plugin.carriesInnerVlanTags();
            this.socket = socket;
        }
    }

    private final String name;
    private final long vnetId;
    private final int mtu;
    private final SearchMode mode;
    private final int maxFrameLength;
    private final int pendingBytesPerEntry;
    private final DeviceEnvironment env;
    private final Counters counters;
    private final TargetCache cache;

    private volatile EncapState encap;
    private volatile UnderlayAddress[] point = CacheEntry.NO_DESTINATIONS;
    private volatile LocalPort[] ports = new LocalPort[0];
    private final NonBlockingHashMapLong<LocalPort> portsByMac = new NonBlockingHashMapLong<>();
    @SuppressWarnings("unchecked")
    private volatile Consumer<SnoopedFrame>[] snoopers = new Consumer[0];
    private volatile StaleTargetHandler staleHandler;
    private final long[] staleReportedAt = new long[256];

    public Device(DeviceConfig config, DeviceEnvironment env) {
        this.name = config.name();
        this.vnetId = config.vnetId();
        this.mtu = config.mtu();
        this.mode = config.mode();
        this.maxFrameLength = config.mtu() + ETHERNET_HEADER + VLAN_TAG;
        this.pendingBytesPerEntry = config.pendingBytesPerEntry();
        this.env = env;
        this.counters = new Counters(config.name());
        this.cache = new TargetCache(config.cacheMax());
    }

    // ---------------------------------------------------------------- identity

    @Override
    public String name() {
        return name;
    }

    @Override
    public long vnetId() {
        return vnetId;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public SearchMode mode() {
        return mode;
    }

    // ---------------------------------------------------------------- transmit: frames from VNICs

    /**
     * A frame from a local VNIC, at [offset, offset+length) of the reader's direct buffer, with
     * {@link #HEADROOM} free bytes in front of it for the encapsulation header.
     */
    public void fromVnic(LocalPort source, ByteBuffer buf, int offset, int length) {
        Counters in = source.counters();
        in.in(length);
        if (length < ETHERNET_HEADER) {
            in.drop(DropReasons.RUNT);
            return;
        }
        if (length > maxFrameLength) {
            in.drop(DropReasons.TOO_BIG);
            return;
        }
        if (snoopers.length > 0) {
            snoop(SnoopedFrame.Direction.FROM_VNIC, buf, offset, length);
        }
        long dst = MacAddress.read(buf, offset);
        if (MacAddress.isGroup(dst)) {
            for (LocalPort p : ports) {
                if (p != source) {
                    p.deliver(buf, offset, length);
                }
            }
            if (mode == SearchMode.POINT) {
                transmitTo(point, buf, offset, length, in);
            } else {
                transmitDynamic(source, dst, buf, offset, length, in);
            }
            return;
        }
        LocalPort local = portsByMac.get(dst);
        if (local != null) {
            if (local == source) {
                in.drop(DropReasons.HAIRPIN);
            } else {
                local.deliver(buf, offset, length);
            }
            return;
        }
        if (mode == SearchMode.POINT) {
            transmitTo(point, buf, offset, length, in);
        } else {
            transmitDynamic(source, dst, buf, offset, length, in);
        }
    }

    private void transmitDynamic(LocalPort source, long dst, ByteBuffer buf, int offset, int length, Counters in) {
        CacheEntry e = cache.get(dst);
        if (e != null) {
            int state = e.state;
            if (state == CacheEntry.VALID) {
                cache.hits.increment();
                e.touch(System.nanoTime());
                transmitTo(e.destinations, buf, offset, length, in);
                return;
            }
            if (state == CacheEntry.DROP && System.nanoTime() < e.expiresAtNanos) {
                in.drop(DropReasons.TARGET_DROP);
                return;
            }
        }
        miss(source, dst, buf, offset, length, in);
    }

    /** Encapsulates once and sends to each destination; an empty set is a counted drop. */
    private void transmitTo(UnderlayAddress[] destinations, ByteBuffer buf, int offset, int length, Counters in) {
        EncapState enc = encap;
        if (enc == null) {
            in.drop(DropReasons.NO_ENCAPSULATION);
            return;
        }
        if (destinations.length == 0) {
            if (mode == SearchMode.POINT) {
                in.drop(DropReasons.NO_DESTINATION);
            }
            return; // a group answered with "nowhere": local delivery only
        }
        if (enc.stripVlan && length >= ETHERNET_HEADER + VLAN_TAG && (buf.getShort(offset + 12) & 0xFFFF) == ETHERTYPE_VLAN) {
            // RFC 7348 6.1, RFC 7637 3.2: no inner 802.1Q tag on the wire. Move the two MACs over
            // the tag (back to front: the ranges overlap); the frame starts 4 bytes later.
            buf.putInt(offset + 12, buf.getInt(offset + 8));
            buf.putLong(offset + 4, buf.getLong(offset));
            offset += VLAN_TAG;
            length -= VLAN_TAG;
        }
        int start = offset - enc.headerLength;
        int flowHash = FlowHash.of(buf, offset, length);
        enc.encapsulator.encapsulate(buf, start, vnetId, flowHash);
        for (UnderlayAddress d : destinations) {
            if (enc.socket.send(buf, start, length + enc.headerLength, d, flowHash)) {
                counters.out(length);
            } else {
                in.drop(DropReasons.SEND_FAILED);
            }
        }
    }

    // ---------------------------------------------------------------- the miss path (slow)

    private void miss(LocalPort source, long dst, ByteBuffer buf, int offset, int length, Counters in) {
        cache.misses.increment();
        long now = System.nanoTime();
        boolean[] created = new boolean[1];
        CacheEntry e = cache.getOrCreate(dst, mac -> new CacheEntry(mac, CacheEntry.PENDING, now), created);
        boolean issue = created[0];
        boolean sendNow = false;
        synchronized (e) {
            if (e.state == CacheEntry.DROP && now >= e.expiresAtNanos) {
                e.state = CacheEntry.PENDING; // the drop answer expired: ask again
                e.requestedAtNanos = now;
                issue = true;
            }
            switch (e.state) {
                case CacheEntry.VALID:
                    sendNow = true; // answered between our lookup and the lock
                    break;
                case CacheEntry.DROP:
                    in.drop(DropReasons.TARGET_DROP);
                    return;
                case CacheEntry.DEAD:
                    in.drop(DropReasons.PENDING_DISCARDED);
                    return;
                default:
                    if (e.pendingBytes + length > pendingBytesPerEntry) {
                        in.drop(DropReasons.PENDING_FULL);
                    } else if (!env.pendingBudget().reserve(length)) {
                        in.drop(DropReasons.PENDING_TOTAL_FULL);
                    } else {
                        byte[] copy = new byte[length];
                        buf.get(offset, copy);
                        e.pending.add(copy);
                        e.pendingBytes += length;
                    }
            }
        }
        if (sendNow) {
            transmitTo(e.destinations, buf, offset, length, in);
            return;
        }
        if (issue) {
            int ethertype = buf.getShort(offset + 12) & 0xFFFF;
            int vlan = LookupRequest.NO_VLAN;
            if (ethertype == ETHERTYPE_VLAN && length >= ETHERNET_HEADER + VLAN_TAG) {
                vlan = buf.getShort(offset + 14) & 0x0FFF;
                ethertype = buf.getShort(offset + 16) & 0xFFFF;
            }
            LookupRequest request = new LookupRequest(vnetId, MacAddress.read(buf, offset + 6), dst, ethertype, vlan);
            synchronized (e) {
                e.request = request;
            }
            if (!env.offerMiss(new MissRequestImpl(this, e, request))) {
                in.drop(DropReasons.MISS_QUEUE_FULL);
                discard(e); // nobody will answer: let the next frame try again
            }
            if (created[0] && cache.overBound()) {
                for (CacheEntry victim : cache.evictionVictims()) {
                    discard(victim);
                }
            }
        }
    }

    /** A miss answered with destinations: the entry becomes VALID and its queue goes out. */
    void answer(CacheEntry e, UnderlayAddress[] destinations) {
        List<byte[]> frames;
        synchronized (e) {
            if (e.state != CacheEntry.PENDING) {
                return; // answered already, or removed
            }
            e.destinations = destinations;
            e.state = CacheEntry.VALID;
            frames = drain(e);
        }
        sendCopies(frames, destinations);
    }

    /** A miss answered with drop: the entry becomes DROP for a while and its queue is dropped. */
    void answerDrop(CacheEntry e) {
        List<byte[]> frames;
        synchronized (e) {
            if (e.state != CacheEntry.PENDING) {
                return;
            }
            e.expiresAtNanos = System.nanoTime() + env.dropLifetimeNanos();
            e.state = CacheEntry.DROP;
            frames = drain(e);
        }
        for (int i = 0; i < frames.size(); i++) {
            counters.drop(DropReasons.TARGET_DROP);
        }
    }

    private List<byte[]> drain(CacheEntry e) {
        List<byte[]> frames = new ArrayList<>(e.pending);
        env.pendingBudget().release(e.pendingBytes);
        e.pending.clear();
        e.pendingBytes = 0;
        return frames;
    }

    /** Removes an entry and drops what waits on it. */
    private void discard(CacheEntry e) {
        cache.remove(e);
        List<byte[]> frames;
        synchronized (e) {
            e.state = CacheEntry.DEAD;
            frames = drain(e);
        }
        for (int i = 0; i < frames.size(); i++) {
            counters.drop(DropReasons.PENDING_DISCARDED);
        }
    }

    /** Sends queued copies from a non-data-path thread, through that thread's scratch buffer. */
    private void sendCopies(List<byte[]> frames, UnderlayAddress[] destinations) {
        if (frames.isEmpty()) {
            return;
        }
        ByteBuffer scratch = SCRATCH.get();
        for (byte[] f : frames) {
            scratch.put(HEADROOM, f);
            transmitTo(destinations, scratch, HEADROOM, f.length, counters);
        }
    }

    /**
     * Issues misses again for PENDING entries nobody answered within {@code retryNanos} (varpd or
     * the plugin was away), and removes expired DROP entries. Called periodically by the service.
     */
    public void sweep(long nowNanos, long retryNanos) {
        if (mode == SearchMode.POINT) {
            return;
        }
        for (CacheEntry e : cache.all()) {
            int state = e.state;
            if (state == CacheEntry.DROP && nowNanos >= e.expiresAtNanos) {
                discard(e);
            } else if (state == CacheEntry.PENDING) {
                LookupRequest again = null;
                synchronized (e) {
                    if (e.state == CacheEntry.PENDING && e.request != null && nowNanos - e.requestedAtNanos >= retryNanos) {
                        e.requestedAtNanos = nowNanos;
                        again = e.request;
                    }
                }
                if (again != null) {
                    env.offerMiss(new MissRequestImpl(this, e, again)); // if full, the next sweep retries
                }
            }
        }
    }

    // ---------------------------------------------------------------- receive: frames from the underlay

    @Override
    public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender) {
        counters.in(length);
        if (length < ETHERNET_HEADER) {
            counters.drop(DropReasons.RUNT);
            return;
        }
        if (length > maxFrameLength) {
            counters.drop(DropReasons.TOO_BIG);
            return;
        }
        deliverInbound(buf, offset, length, sender);
    }

    private void deliverInbound(ByteBuffer buf, int offset, int length, InetAddress sender) {
        if (snoopers.length > 0) {
            snoop(SnoopedFrame.Direction.FROM_UNDERLAY, buf, offset, length);
        }
        long dst = MacAddress.read(buf, offset);
        if (MacAddress.isGroup(dst)) {
            for (LocalPort p : ports) {
                p.deliver(buf, offset, length);
            }
            return;
        }
        LocalPort local = portsByMac.get(dst);
        if (local != null) {
            local.deliver(buf, offset, length);
            return;
        }
        counters.drop(DropReasons.NOT_HERE);
        if (sender != null) {
            reportStale(dst, sender);
        }
    }

    /** Rate-limited to one report per second per (MAC, sender) hash slot. */
    private void reportStale(long mac, InetAddress sender) {
        StaleTargetHandler handler = staleHandler;
        if (handler == null) {
            return;
        }
        int slot = (int) ((mac ^ (mac >>> 29) ^ sender.hashCode()) & (staleReportedAt.length - 1));
        long now = System.nanoTime();
        if (now - staleReportedAt[slot] < STALE_REPORT_INTERVAL_NANOS && staleReportedAt[slot] != 0) {
            return;
        }
        staleReportedAt[slot] = now;
        env.offload(() -> handler.staleTarget(vnetId, mac, sender));
    }

    @Override
    public void deliverLocally(ByteBuffer frame) {
        int length = frame.remaining();
        if (length < ETHERNET_HEADER || length > maxFrameLength) {
            counters.drop(length < ETHERNET_HEADER ? DropReasons.RUNT : DropReasons.TOO_BIG);
            return;
        }
        ByteBuffer scratch = SCRATCH.get();
        scratch.put(HEADROOM, frame, frame.position(), length);
        deliverInbound(scratch, HEADROOM, length, null);
    }

    // ---------------------------------------------------------------- VNICs

    /**
     * Adds a VNIC.
     *
     * @throws DataPathException when another VNIC of this device has the same MAC
     */
    public synchronized void addPort(LocalPort port) throws DataPathException {
        if (portsByMac.putIfAbsent(port.mac(), port) != null) {
            throw new DataPathException("MAC " + MacAddress.format(port.mac()) + " is already used on overlay " + name);
        }
        LocalPort[] next = Arrays.copyOf(ports, ports.length + 1);
        next[next.length - 1] = port;
        ports = next;
    }

    public synchronized void removePort(LocalPort port) {
        portsByMac.remove(port.mac(), port);
        ports = Arrays.stream(ports).filter(p -> p != port).toArray(LocalPort[]::new);
    }

    public int portCount() {
        return ports.length;
    }

    // ---------------------------------------------------------------- configuration

    @Override
    public synchronized void setEncapsulation(EncapsulationPlugin plugin, Encapsulator encapsulator, UnderlayAddress listen)
            throws DataPathException {
        warmUp(plugin, encapsulator);
        UnderlayKey key = new UnderlayKey(plugin.name(), plugin.transport(), listen);
        EncapState old = encap;
        UnderlaySocket socket;
        if (old != null && old.socket.key().equals(key)) {
            socket = old.socket;
        } else {
            socket = env.acquireSocket(key, plugin.transport());
            try {
                socket.attach(vnetId, this);
            } catch (DataPathException e) {
                env.releaseSocket(socket);
                throw e;
            }
        }
        socket.setDecapsulator(encapsulator);
        encap = new EncapState(plugin, encapsulator, socket);
        if (old != null && old.socket != socket) {
            old.socket.detach(vnetId, this);
            env.releaseSocket(old.socket);
        }
    }

    /**
     * Runs the encapsulator once on a dummy frame before it carries traffic, so that every class it
     * needs is loaded while its bundle is surely active: a plugin bundle that is later updated can
     * no longer load classes, but code already loaded keeps working until the replacement arrives.
     */
    private void warmUp(EncapsulationPlugin plugin, Encapsulator encapsulator) {
        ByteBuffer probe = ByteBuffer.allocate(HEADROOM + 64);
        encapsulator.encapsulate(probe, HEADROOM - plugin.headerLength(), vnetId, 0);
        probe.position(HEADROOM - plugin.headerLength());
        encapsulator.decapsulate(probe, new org.overlaygate.api.encap.DecapResult());
    }

    @Override
    public String encapsulationName() {
        EncapState e = encap;
        return e == null ? null : e.plugin.name();
    }

    @Override
    public UnderlayAddress listenAddress() {
        EncapState e = encap;
        return e == null ? null : e.socket.key().listen();
    }

    @Override
    public void setPointDestination(UnderlayAddress destination) {
        point = destination == null ? CacheEntry.NO_DESTINATIONS : new UnderlayAddress[] {destination};
    }

    @Override
    public UnderlayAddress pointDestination() {
        UnderlayAddress[] p = point;
        return p.length == 0 ? null : p[0];
    }

    @Override
    public void setTarget(long mac, UnderlayAddress destination) {
        CacheEntry fresh = new CacheEntry(mac, CacheEntry.VALID, System.nanoTime());
        fresh.destinations = new UnderlayAddress[] {destination};
        CacheEntry previous = cache.put(fresh);
        if (previous != null) {
            List<byte[]> frames;
            synchronized (previous) {
                previous.state = CacheEntry.DEAD;
                frames = drain(previous);
            }
            sendCopies(frames, fresh.destinations);
        } else if (cache.overBound()) {
            for (CacheEntry victim : cache.evictionVictims()) {
                discard(victim);
            }
        }
    }

    @Override
    public void invalidate(long mac) {
        CacheEntry e = cache.get(mac);
        if (e != null) {
            discard(e);
        }
    }

    @Override
    public void flushTargets() {
        for (CacheEntry e : cache.all()) {
            discard(e);
        }
    }

    @Override
    public List<TargetEntry> targets() {
        return cache.snapshot();
    }

    @Override
    public void setStaleTargetHandler(StaleTargetHandler handler) {
        this.staleHandler = handler;
    }

    /** Leaves the underlay; the device carries no more traffic. */
    public synchronized void close() {
        EncapState e = encap;
        encap = null;
        if (e != null) {
            e.socket.detach(vnetId, this);
            env.releaseSocket(e.socket);
        }
        flushTargets();
    }

    // ---------------------------------------------------------------- observation

    @Override
    public DeviceStats stats() {
        int pending = 0;
        for (CacheEntry e : cache.all()) {
            synchronized (e) {
                pending += e.pending.size();
            }
        }
        List<DeviceStats.Counters> vnics = new ArrayList<>();
        for (LocalPort p : ports) {
            vnics.add(p.counters().snapshot());
        }
        return new DeviceStats(name, counters.snapshot(), cache.hits.sum(), cache.misses.sum(), cache.size(), pending, vnics);
    }

    /** The device's own counters (frames from and to the underlay). */
    public Counters counters() {
        return counters;
    }

    @Override
    public synchronized AutoCloseable snoop(Consumer<SnoopedFrame> listener) {
        Consumer<SnoopedFrame>[] next = Arrays.copyOf(snoopers, snoopers.length + 1);
        next[next.length - 1] = listener;
        snoopers = next;
        return () -> {
            synchronized (Device.this) {
                snoopers = Arrays.stream(snoopers).filter(l -> l != listener).toArray(n -> Arrays.copyOf(snoopers, n));
            }
        };
    }

    private void snoop(SnoopedFrame.Direction direction, ByteBuffer buf, int offset, int length) {
        byte[] copy = new byte[length];
        buf.get(offset, copy);
        java.time.Instant now = java.time.Instant.now(); // microseconds or better on Linux
        SnoopedFrame frame = new SnoopedFrame(now.getEpochSecond() * 1_000_000_000L + now.getNano(), direction, copy);
        for (Consumer<SnoopedFrame> l : snoopers) {
            try {
                l.accept(frame);
            } catch (RuntimeException ignored) {
                // a listener's failure must not disturb the data path
            }
        }
    }

    @Override
    public String toString() {
        return "overlay " + name + " (vnet " + vnetId + ")";
    }
}
