package org.overlaygate.core.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.SnoopedFrame;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.base.Tally;
import org.overlaygate.core.underlay.InboundBatch;
import org.overlaygate.core.underlay.SendBatch;
import org.overlaygate.core.underlay.UnderlayMux;
import org.overlaygate.core.underlay.UnderlayReceiver;

/**
 * One overlay: its virtual switch, target cache, flood destinations and encapsulation. See the
 * package overview of {@code org.overlaygate.core} for the walk of a frame through it.
 *
 * <p>Threads: every VNIC's reader thread calls {@link #fromVnic}; every underlay mux's receive
 * thread calls {@link #fromUnderlay}; varpd's threads answer upcalls and configure. The frame paths
 * take no lock unless they touch a PENDING entry; the VNIC set, the encapsulation, the flood
 * destinations and the policy are immutable snapshots swapped through volatile fields, under the
 * device's monitor. Lock order: the data path service, then a device, then a cache entry.
 */
public final class Device implements OverlayDevice, UnderlayReceiver {
    static final String PROXIED = "proxied";
    static final String ADDRESS_REQUESTS = "address_requests";
    static final String NOT_HERE_REPORTS = "not_here_reports";
    static final String LEARN_REPORTS = "learn_reports";
    static final String FLOODED_UNKNOWN = "flooded_unknown_unicast";
    private static final long NOT_HERE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LEARN_REPORT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME));

    private final DeviceConfig config;
    private final String name;
    private final long vnetId;
    private final SearchMode mode;
    private final int maxFrameLength;
    private final boolean peersOnly;
    private final DeviceEnvironment env;
    private final Counters counters;
    private final Tally events = new Tally();
    private final TargetCache cache;
    private final TargetResolver resolver;
    private final UpcallChannel upcalls;

    private volatile EncapBinding encap;
    private volatile String encapFault;
    private volatile UnderlayAddress[] point = CacheEntry.NO_DESTINATIONS;
    private volatile UnderlayAddress[] flood = CacheEntry.NO_DESTINATIONS;
    private volatile boolean floodUnknownUnicast;
    private volatile TargetPolicy policy = TargetPolicy.LOOKUP_ONLY;
    private volatile long lifetimeNanos;
    private volatile boolean learns;
    private volatile boolean proxy;
    private volatile LocalPort[] ports = new LocalPort[0];
    private final NonBlockingHashMapLong<LocalPort> portsByMac = new NonBlockingHashMapLong<>();
    @SuppressWarnings("unchecked")
    private volatile Consumer<SnoopedFrame>[] snoopers = new Consumer[0];
    /** Per (MAC, sender) hash slot: when a not-here report was last raised (racy by design). */
    private final long[] notHereReportedAt = new long[256];
    /** Per MAC hash slot: when a learned-source report was last raised (racy by design). */
    private final long[] learnReportedAt = new long[256];

    /** The multicast group the device asked for, kept so that a new mux can join it too (guarded by this). */
    private GroupRequest group;
    private AutoCloseable membership;
    private volatile String groupFault;

    private static final class GroupRequest {
        final InetAddress group;
        final String interfaceName;
        final int ttl;

        GroupRequest(InetAddress group, String interfaceName, int ttl) {
            this.group = group;
            this.interfaceName = interfaceName;
            this.ttl = ttl;
        }

        @Override
        public String toString() {
            return group.getHostAddress() + (interfaceName == null ? "" : " on " + interfaceName);
        }
    }

    public Device(DeviceConfig config, DeviceEnvironment env) {
        this.config = config;
        this.name = config.name();
        this.vnetId = config.vnetId();
        this.mode = config.mode();
        this.maxFrameLength = config.mtu() + BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG;
        this.peersOnly = config.acceptsPeersOnly();
        this.env = env;
        this.counters = new Counters(config.name());
        this.cache = new TargetCache(config.cacheMax());
        this.resolver = new TargetResolver(this, env, cache, counters, events, config.pendingBytesPerEntry());
        this.upcalls = new UpcallChannel(env, events);
        this.encapFault = "encapsulation " + config.encapsulation() + " absent: not bound yet";
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
        return config.mtu();
    }

    @Override
    public SearchMode mode() {
        return mode;
    }

    public DeviceConfig config() {
        return config;
    }

    long nanoTime() {
        return env.nanoTime();
    }

    TargetResolver resolver() {
        return resolver;
    }

    UpcallChannel upcallChannel() {
        return upcalls;
    }

    // ---------------------------------------------------------------- transmit: frames from VNICs

    /**
     * A frame from a local VNIC, at [offset, offset+length) of the reader's direct buffer, with
     * {@link BufferLayout#HEADROOM} free bytes in front of it for the encapsulation header.
     */
    public void fromVnic(LocalPort source, ByteBuffer buf, int offset, int length) {
        fromVnic(source, buf, offset, length, null);
    }

    /**
     * The same, on a reader that sends in batches: what goes to the underlay is held in
     * {@code batch} (null: sent at once) until the reader flushes it, and counted then; the reader
     * leaves the frame's bytes alone until that flush.
     */
    public void fromVnic(LocalPort source, ByteBuffer buf, int offset, int length, SendBatch batch) {
        Counters in = source.counters();
        in.in(length);
        if (length < BufferLayout.ETHERNET_HEADER) {
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
            fromVnicToGroup(source, buf, offset, length, in, batch);
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
            transmitTo(point, buf, offset, length, in, batch);
            return;
        }
        CacheEntry e = cache.get(dst);
        if (e != null) {
            int state = e.state;
            if (state == CacheEntry.VALID) {
                cache.hits.increment();
                e.touch(env.nanoTime());
                transmitTo(e.destinations, buf, offset, length, in, batch);
                return;
            }
            if (state == CacheEntry.DROP && env.nanoTime() < e.expiresAtNanos) {
                in.drop(e.dropReason);
                return;
            }
        }
        if (floodUnknownUnicast && (e == null || e.state != CacheEntry.PENDING)) {
            events.increment(FLOODED_UNKNOWN); // flood-and-learn: the reply teaches where it lives
            floodOut(buf, offset, length, in, batch);
            return;
        }
        resolver.miss(dst, buf, offset, length, in);
    }

    /**
     * Broadcast and multicast: to every other local VNIC, then where the search plugin floods; on a
     * proxying overlay an ARP request or neighbour solicitation goes to varpd instead.
     */
    private void fromVnicToGroup(LocalPort source, ByteBuffer buf, int offset, int length, Counters in, SendBatch batch) {
        for (LocalPort p : ports) {
            if (p != source) {
                p.deliver(buf, offset, length); // a local owner answers for itself, as on any switch
            }
        }
        if (mode == SearchMode.DYNAMIC && proxy && FrameKinds.isAddressRequest(buf, offset, length)) {
            events.increment(ADDRESS_REQUESTS);
            if (upcalls.mayRaiseAddressRequest(env.nanoTime())) {
                byte[] copy = new byte[length];
                buf.get(offset, copy);
                if (upcalls.offer(new Upcalls.Address(this, copy))) {
                    return;
                }
            }
            in.drop(DropReasons.ADDRESS_REQUEST_DROPPED);
            return;
        }
        if (mode == SearchMode.POINT) {
            transmitTo(point, buf, offset, length, in, batch);
        } else {
            floodOut(buf, offset, length, in, batch);
        }
    }

    private void floodOut(ByteBuffer buf, int offset, int length, Counters in, SendBatch batch) {
        UnderlayAddress[] targets = flood;
        if (targets.length == 0) {
            in.drop(DropReasons.NO_FLOOD_TARGET);
            return;
        }
        transmitTo(targets, buf, offset, length, in, batch);
    }

    /**
     * Encapsulates once and sends to each destination; every refusal is a drop counted by its
     * reason. The frame must have {@link BufferLayout#HEADROOM} bytes in front of it.
     */
    void transmitTo(UnderlayAddress[] destinations, ByteBuffer buf, int offset, int length, Counters in) {
        transmitTo(destinations, buf, offset, length, in, null);
    }

    /** The same, held in {@code batch} (when not null) until its owner flushes it. */
    void transmitTo(UnderlayAddress[] destinations, ByteBuffer buf, int offset, int length, Counters in, SendBatch batch) {
        EncapBinding enc = encap;
        if (enc == null) {
            in.drop(DropReasons.NO_ENCAPSULATION);
            return;
        }
        if (destinations.length == 0) {
            in.drop(DropReasons.NO_DESTINATION);
            return;
        }
        if (enc.stripVlan && length >= BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG
                && (buf.getShort(offset + 12) & 0xFFFF) == BufferLayout.ETHERTYPE_VLAN) {
            // RFC 7348 6.1, RFC 7637 3.2: no inner 802.1Q tag on the wire. Move the two MACs over
            // the tag (back to front: the ranges overlap); the frame starts 4 bytes later.
            buf.putInt(offset + 12, buf.getInt(offset + 8));
            buf.putLong(offset + 4, buf.getLong(offset));
            offset += BufferLayout.VLAN_TAG;
            length -= BufferLayout.VLAN_TAG;
        }
        int start = offset - enc.headerLength;
        int flowHash = FlowHash.of(buf, offset, length);
        try {
            enc.encapsulator.encapsulate(buf, start, vnetId, flowHash);
        } catch (Throwable t) { // a plugin bug, or its classes gone with a half-removed bundle
            in.drop(DropReasons.ENCAP_ERROR);
            return;
        }
        for (UnderlayAddress d : destinations) {
            if (batch != null) {
                batch.add(enc.mux, buf, start, length + enc.headerLength, d, flowHash, counters, length, in);
                continue;
            }
            String refused = enc.mux.send(buf, start, length + enc.headerLength, d, flowHash);
            if (refused == null) {
                counters.out(length);
            } else {
                in.drop(refused);
            }
        }
    }

    // ---------------------------------------------------------------- receive: frames from the underlay

    @Override
    public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort) {
        fromUnderlay(buf, offset, length, sender, senderPort, null);
    }

    /**
     * A frame from the underlay during a batch: a unicast one for a local VNIC goes through the
     * batch when the data path made it a {@link Delivery} (which may hold it back to coalesce it
     * with the frames that follow), everything else is delivered at once.
     */
    @Override
    public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort, InboundBatch batch) {
        counters.in(length);
        if (length < BufferLayout.ETHERNET_HEADER) {
            counters.drop(DropReasons.RUNT);
            return;
        }
        if (length > maxFrameLength) {
            counters.drop(DropReasons.TOO_BIG);
            return;
        }
        long src = MacAddress.read(buf, offset + 6);
        if (peersOnly && !fromPeer(src, sender)) {
            counters.drop(DropReasons.NOT_A_PEER);
            if (mode == SearchMode.DYNAMIC && !learns && !MacAddress.isGroup(src)) {
                resolver.verify(src); // once the plugin says src lives at this sender, it is let in
            }
            return;
        }
        if (learns) {
            noteSource(src, sender, senderPort);
        }
        deliverInbound(buf, offset, length, sender, batch instanceof Delivery ? (Delivery) batch : null);
    }

    /**
     * Whether a sender is one the overlay knows (accept=peers): its point destination, a unicast
     * flood target (configured peers), or where the cache says the frame's inner source lives.
     * Allocation-free.
     */
    private boolean fromPeer(long src, InetAddress sender) {
        if (sender == null) {
            return false;
        }
        for (UnderlayAddress p : point) {
            if (p.address().equals(sender)) {
                return true;
            }
        }
        for (UnderlayAddress f : flood) {
            if (f.address().equals(sender)) {
                return true;
            }
        }
        CacheEntry e = cache.get(src);
        return e != null && e.state == CacheEntry.VALID && e.isAt(sender);
    }

    /**
     * Flood-and-learn: confirms a learned entry seen again at its address, and reports a source
     * the cache does not hold there (at most one report per MAC slot every 100 ms, within the
     * channel's rate), allocating nothing unless it reports.
     */
    private void noteSource(long src, InetAddress sender, int senderPort) {
        if (MacAddress.isGroup(src) || sender == null) {
            return;
        }
        long now = env.nanoTime();
        CacheEntry e = cache.get(src);
        if (e != null && e.state == CacheEntry.VALID && e.isAt(sender)) {
            if (e.origin == TargetEntry.Origin.LEARNED) {
                e.confirm(now);
            }
            return;
        }
        if (e != null && e.state == CacheEntry.VALID && e.origin == TargetEntry.Origin.STATIC) {
            return; // the operator's word stands
        }
        int slot = (int) ((src ^ (src >>> 23)) & (learnReportedAt.length - 1));
        long last = learnReportedAt[slot];
        if (last != 0 && now - last < LEARN_REPORT_INTERVAL_NANOS) {
            return;
        }
        learnReportedAt[slot] = now;
        if ((e == null || e.origin != TargetEntry.Origin.LEARNED) && cache.learned() >= policy.maxLearned()) {
            events.increment(TargetResolver.LEARN_LIMITED);
            return;
        }
        if (upcalls.mayReportLearned(now)) {
            events.increment(LEARN_REPORTS);
            upcalls.offer(new Upcalls.Learned(this, src, sender, senderPort));
        }
    }

    private void deliverInbound(ByteBuffer buf, int offset, int length, InetAddress sender, Delivery delivery) {
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
            if (delivery != null) {
                delivery.deliver(local, buf, offset, length);
            } else {
                local.deliver(buf, offset, length);
            }
            return;
        }
        counters.drop(DropReasons.NOT_HERE);
        if (sender != null) {
            reportNotHere(dst, sender);
        }
    }

    /** At most one report a second per (MAC, sender) hash slot, within the channel's rate. */
    private void reportNotHere(long mac, InetAddress sender) {
        int slot = (int) ((mac ^ (mac >>> 29) ^ sender.hashCode()) & (notHereReportedAt.length - 1));
        long now = env.nanoTime();
        long last = notHereReportedAt[slot];
        if (last != 0 && now - last < NOT_HERE_INTERVAL_NANOS) {
            return;
        }
        notHereReportedAt[slot] = now;
        if (upcalls.mayReportNotHere(now)) {
            events.increment(NOT_HERE_REPORTS);
            upcalls.offer(new Upcalls.NotHereReport(this, mac, sender));
        }
    }

    @Override
    public void deliverLocally(ByteBuffer frame) {
        int length = frame.remaining();
        if (length < BufferLayout.ETHERNET_HEADER || length > maxFrameLength) {
            counters.drop(length < BufferLayout.ETHERNET_HEADER ? DropReasons.RUNT : DropReasons.TOO_BIG);
            return;
        }
        ByteBuffer scratch = SCRATCH.get();
        scratch.put(BufferLayout.HEADROOM, frame, frame.position(), length);
        deliverInbound(scratch, BufferLayout.HEADROOM, length, null, null);
    }

    @Override
    public void deliverProxyReply(ByteBuffer frame) {
        events.increment(PROXIED);
        deliverLocally(frame);
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

    // ---------------------------------------------------------------- encapsulation (bound by the service)

    /** The binding in use, or null before the first one. */
    public EncapBinding encapBinding() {
        return encap;
    }

    /**
     * Switches to a new binding atomically (the caller has attached this device to its mux and
     * detaches it from the old one). Joins the device's multicast group on a new mux.
     */
    public synchronized void bind(EncapBinding binding) {
        EncapBinding old = encap;
        encap = binding;
        encapFault = null;
        if (old == null || old.mux != binding.mux) {
            rejoinGroup();
        }
    }

    /** The plugin is gone: keep forwarding with what is bound, and say so. */
    public synchronized void encapsulationAbsent() {
        EncapBinding b = encap;
        encapFault = "encapsulation " + config.encapsulation() + " absent: "
                + (b == null ? "not bound yet" : "forwarding with version " + b.version);
    }

    /** A plugin is present but refused this device (bad properties, the socket cannot open ...). */
    public synchronized void encapsulationRefused(String reason) {
        EncapBinding b = encap;
        encapFault = "encapsulation " + config.encapsulation() + " refused the overlay: " + reason
                + (b == null ? "" : " (forwarding with version " + b.version + ")");
    }

    @Override
    public String encapsulationName() {
        return config.encapsulation();
    }

    @Override
    public String encapsulationVersion() {
        EncapBinding b = encap;
        return b == null ? null : b.version;
    }

    @Override
    public UnderlayAddress listenAddress() {
        EncapBinding b = encap;
        return b == null ? null : b.mux.key().listen();
    }

    @Override
    public List<String> faults() {
        List<String> out = new ArrayList<>(2);
        String e = encapFault;
        if (e != null) {
            out.add(e);
        }
        String g = groupFault;
        if (g != null) {
            out.add(g);
        }
        return out;
    }

    // ---------------------------------------------------------------- lookup configuration (from varpd)

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
    public void setFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast) {
        flood = destinations.toArray(new UnderlayAddress[0]);
        floodUnknownUnicast = unknownUnicast;
    }

    @Override
    public List<UnderlayAddress> floodTargets() {
        return List.of(flood);
    }

    @Override
    public void setTargetPolicy(TargetPolicy p) {
        policy = p;
        lifetimeNanos = p.lifetime().toNanos();
        learns = p.learns();
    }

    public TargetPolicy targetPolicy() {
        return policy;
    }

    @Override
    public void setAddressProxy(boolean on) {
        proxy = on;
    }

    @Override
    public synchronized void setMulticastGroup(InetAddress groupAddress, String interfaceName, int ttl) throws DataPathException {
        GroupRequest wanted = groupAddress == null ? null : new GroupRequest(groupAddress, interfaceName, ttl);
        if (wanted != null && !groupAddress.isMulticastAddress()) {
            throw new DataPathException(groupAddress.getHostAddress() + " is not a multicast address");
        }
        if (sameGroup(group, wanted)) {
            return;
        }
        AutoCloseable previous = membership;
        group = wanted;
        membership = null;
        groupFault = null;
        closeQuietly(previous);
        EncapBinding b = encap;
        if (wanted != null && b != null) {
            try {
                membership = b.mux.joinGroup(wanted.group, wanted.interfaceName, wanted.ttl);
            } catch (DataPathException e) {
                group = null;
                throw e;
            }
        }
    }

    private static boolean sameGroup(GroupRequest a, GroupRequest b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.group.equals(b.group) && java.util.Objects.equals(a.interfaceName, b.interfaceName) && a.ttl == b.ttl;
    }

    /** After a mux change: the old membership goes with the old mux, the group is joined on the new one. */
    private void rejoinGroup() {
        closeQuietly(membership);
        membership = null;
        EncapBinding b = encap;
        if (group == null || b == null) {
            return;
        }
        try {
            membership = b.mux.joinGroup(group.group, group.interfaceName, group.ttl);
            groupFault = null;
        } catch (DataPathException e) {
            groupFault = "cannot join " + group + ": " + e.getMessage();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // leaving a group cannot fail in a way anyone could act on
            }
        }
    }

    // ---------------------------------------------------------------- the target cache

    @Override
    public void setTarget(long mac, UnderlayAddress destination, TargetEntry.Origin origin) {
        resolver.setTarget(mac, destination, origin, policy.maxLearned());
    }

    @Override
    public boolean invalidate(long mac) {
        return resolver.invalidate(mac);
    }

    @Override
    public void flushTargets() {
        resolver.flush();
    }

    @Override
    public List<TargetEntry> targets() {
        return cache.snapshot(env.nanoTime());
    }

    /** Retries, expiries and ageing; called periodically by the service. */
    public void sweep(long nowNanos) {
        if (mode == SearchMode.DYNAMIC) {
            resolver.sweep(nowNanos, lifetimeNanos);
        }
    }

    /** Leaves the underlay and its group; the device carries no more traffic. The caller releases the mux. */
    public synchronized void close() {
        closeQuietly(membership);
        membership = null;
        encap = null;
        resolver.flush();
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
        return new DeviceStats(name, counters.snapshot(), cache.hits.sum(), cache.misses.sum(), cache.size(), pending, vnics,
                events.snapshot());
    }

    @Override
    public void countEvent(String event) {
        events.increment(event);
    }

    /** The device's own counters (frames from and to the underlay). */
    public Counters counters() {
        return counters;
    }

    /** Upcalls of this device waiting in the queue now. */
    public int queuedUpcalls() {
        return upcalls.outstanding();
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
