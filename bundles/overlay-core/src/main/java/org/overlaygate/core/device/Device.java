package org.overlaygate.core.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceSettings;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.MulticastGroup;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.PortHandler;
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
import org.overlaygate.core.underlay.UnderlayReceiver;

/**
 * One overlay: the facade over its parts. The parts, each with one concern:
 * <ul>
 * <li>{@link Forwarding}: what the lookup side set (point destination, flood targets, policy,
 * proxy), one immutable snapshot behind one volatile field;</li>
 * <li>{@link LocalSwitch}: the local ports by MAC;</li>
 * <li>{@link TransmitPath} and {@link ReceivePath}: the two frame paths;</li>
 * <li>{@link TargetCache} and its state machine {@link TargetResolver}; the
 * {@link UpcallChannel} to varpd;</li>
 * <li>{@link GroupMembership}: the underlay multicast group;</li>
 * <li>{@link Snooper}: copies for {@code overlay:snoop}.</li>
 * </ul>
 * See the package overview of {@code org.overlaygate.core} for the walk of a frame through it.
 *
 * <p>Threads: every port's reader thread transmits; every underlay mux's receive thread receives;
 * varpd's threads answer upcalls and configure. The frame paths take no lock unless they touch a
 * PENDING entry; the settings, the encapsulation and the port set are immutable snapshots swapped
 * through volatile fields under the device's monitor. Lock order: the data path service, then a
 * device, then its group membership or port set, then a cache entry.
 */
public final class Device implements OverlayDevice, UnderlayReceiver {
    static final String PROXIED = "proxied";
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME));

    private final DeviceConfig config;
    final String name;
    final long vnetId;
    final SearchMode mode;
    final int maxFrameLength;
    final boolean peersOnly;
    final DeviceEnvironment env;
    final Counters counters;
    final Tally events = new Tally();
    final TargetCache cache;
    final TargetResolver resolver;
    final UpcallChannel upcalls;
    final LocalSwitch ports;
    final Snooper snooper = new Snooper();
    private final GroupMembership group = new GroupMembership();
    private final TransmitPath transmit;
    private final ReceivePath receive;

    volatile Forwarding forwarding = Forwarding.INITIAL;
    volatile EncapBinding encap;
    private volatile String encapFault;

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
        this.ports = new LocalSwitch(config.name());
        this.transmit = new TransmitPath(this);
        this.receive = new ReceivePath(this);
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

    // ---------------------------------------------------------------- the frame paths

    /**
     * A frame from a local port, at [offset, offset+length) of the reader's direct buffer, with
     * {@link BufferLayout#HEADROOM} free bytes in front of it for the encapsulation header.
     */
    public void fromVnic(LocalPort source, ByteBuffer buf, int offset, int length) {
        transmit.fromPort(source, buf, offset, length, null);
    }

    /**
     * The same, on a reader that sends in batches: what goes to the underlay is held in
     * {@code batch} (null: sent at once) until the reader flushes it, and counted then; the reader
     * leaves the frame's bytes alone until that flush.
     */
    public void fromVnic(LocalPort source, ByteBuffer buf, int offset, int length, SendBatch batch) {
        transmit.fromPort(source, buf, offset, length, batch);
    }

    /** Encapsulates and sends a frame (with headroom) to {@code destinations}; refusals are drops counted on {@code in}. */
    void transmitTo(UnderlayAddress[] destinations, ByteBuffer buf, int offset, int length, Counters in, SendBatch batch) {
        transmit.transmitTo(destinations, buf, offset, length, in, batch);
    }

    @Override
    public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort) {
        receive.fromUnderlay(buf, offset, length, sender, senderPort, null);
    }

    /**
     * A frame from the underlay during a batch: a unicast one for a local port goes through the
     * batch when the data path made it a {@link Delivery} (which may hold it back to coalesce it
     * with the frames that follow), everything else is delivered at once.
     */
    @Override
    public void fromUnderlay(ByteBuffer buf, int offset, int length, InetAddress sender, int senderPort, InboundBatch batch) {
        receive.fromUnderlay(buf, offset, length, sender, senderPort, batch);
    }

    /** A packet of this overlay's vnet id the encapsulation refused: this overlay's drop, by the plugin's reason. */
    @Override
    public void refusedFromUnderlay(String reason) {
        counters.drop(reason);
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
        receive.deliver(scratch, BufferLayout.HEADROOM, length, null, null);
    }

    @Override
    public void deliverProxyReply(ByteBuffer frame) {
        events.increment(PROXIED);
        deliverLocally(frame);
    }

    // ---------------------------------------------------------------- ports

    /**
     * Adds a port (a VNIC).
     *
     * @throws DataPathException when another port of this device has the same MAC
     */
    public void addPort(LocalPort port) throws DataPathException {
        ports.add(port);
    }

    public void removePort(LocalPort port) {
        ports.remove(port);
    }

    public int portCount() {
        return ports.size();
    }

    /** The names of the device's ports (VNICs and attached ports), for a refusal's message. */
    public List<String> portNames() {
        return ports.names();
    }

    /**
     * Why this device cannot take a VNIC on a VLAN, or null when it can: its encapsulation forbids
     * inner tags (NVGRE), its header leaves no room for a tag in front of the frame, or a full-size
     * tagged frame would not fit the underlay interface's MTU (the outer packet is never fragmented).
     */
    public String refusesVlans() {
        EncapBinding b = encap;
        if (b == null) {
            return null; // checked again when the encapsulation is bound: frames of the VLAN are then counted
        }
        if (!b.vlansAllowed) {
            return "encapsulation " + config.encapsulation() + " carries no 802.1Q tags (RFC 7637 3.2 for NVGRE)";
        }
        if (b.headerLength + BufferLayout.VLAN_TAG > BufferLayout.HEADROOM) {
            return "the encapsulation header (" + b.headerLength + " bytes) leaves no room for a tag in the " + BufferLayout.HEADROOM
                    + " bytes kept in front of every frame";
        }
        UnderlayAddress listen = b.mux.key().listen();
        int underlayMtu = UnderlayMtu.of(listen.address());
        int outer = (listen.isIpv4() ? 20 : 40) + (b.mux.key().overUdp() ? 8 : 0)
                + b.headerLength + BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG;
        if (underlayMtu > 0 && config.mtu() + outer > underlayMtu) {
            return "overlay " + name + "'s MTU " + config.mtu() + " leaves no room for the 4-byte tag: a full-size tagged frame makes a "
                    + (config.mtu() + outer) + "-byte packet on an underlay of MTU " + underlayMtu + " (create the overlay with mtu "
                    + (underlayMtu - outer) + " or less)";
        }
        return null;
    }

    @Override
    public AttachedPort attachPort(String portName, long mac, boolean shared, PortHandler handler) throws DataPathException {
        return attachPort(portName, mac, shared, VlanTags.NONE, handler);
    }

    @Override
    public AttachedPort attachPort(String portName, long mac, boolean shared, int vlan, PortHandler handler) throws DataPathException {
        if (vlan != VlanTags.NONE && (vlan < 1 || vlan > 4094)) {
            throw new IllegalArgumentException("VLAN id " + vlan + " is outside 1-4094");
        }
        if (MacAddress.isGroup(mac) || mac == 0 || (mac >>> 48) != 0) {
            throw new DataPathException("MAC " + MacAddress.format(mac) + " is not a unicast address");
        }
        if (vlan != VlanTags.NONE) {
            String refused = refusesVlans();
            if (refused != null) {
                throw new DataPathException("port " + portName + " cannot be on VLAN " + vlan + ": " + refused);
            }
        }
        CallbackPort port = new CallbackPort(this, portName, mac, shared, vlan, java.util.Objects.requireNonNull(handler));
        ports.add(port);
        return port;
    }

    // ---------------------------------------------------------------- encapsulation (bound by the service)

    /** The binding in use, or null before the first one. */
    public EncapBinding encapBinding() {
        return encap;
    }

    /**
     * Switches to a new binding atomically (the caller has attached this device to its mux and
     * detaches it from the old one). The multicast group moves to a new mux.
     */
    public synchronized void bind(EncapBinding binding) {
        EncapBinding old = encap;
        encap = binding;
        encapFault = null;
        if (old == null || old.mux != binding.mux) {
            group.moveTo(binding.mux);
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
        String g = group.fault();
        if (g != null) {
            out.add(g);
        }
        return out;
    }

    // ---------------------------------------------------------------- settings (from varpd)

    @Override
    public DeviceSettings settings() {
        return forwarding.settings;
    }

    @Override
    public synchronized void apply(DeviceSettings settings) throws DataPathException {
        EncapBinding b = encap;
        try {
            group.set(settings.multicastGroup(), b == null ? null : b.mux);
        } catch (DataPathException e) {
            forwarding = new Forwarding(settings.withMulticastGroup(null));
            throw e;
        }
        forwarding = new Forwarding(settings);
    }

    /** Applies the settings one setter changed; none of them touches the group. */
    private synchronized void change(DeviceSettings settings) {
        forwarding = new Forwarding(settings);
    }

    @Override
    public synchronized void setPointDestination(UnderlayAddress destination) {
        change(forwarding.settings.withPointDestination(destination));
    }

    @Override
    public UnderlayAddress pointDestination() {
        return forwarding.settings.pointDestination();
    }

    @Override
    public synchronized void setFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast) {
        change(forwarding.settings.withFloodTargets(destinations, unknownUnicast));
    }

    @Override
    public List<UnderlayAddress> floodTargets() {
        return forwarding.settings.floodTargets();
    }

    @Override
    public synchronized void setTargetPolicy(TargetPolicy policy) {
        change(forwarding.settings.withTargetPolicy(policy));
    }

    public TargetPolicy targetPolicy() {
        return forwarding.policy;
    }

    @Override
    public synchronized void setAddressProxy(boolean on) {
        change(forwarding.settings.withAddressProxy(on));
    }

    @Override
    public synchronized void setMulticastGroup(InetAddress groupAddress, String interfaceName, int ttl) throws DataPathException {
        MulticastGroup wanted;
        try {
            wanted = groupAddress == null ? null : MulticastGroup.of(groupAddress, interfaceName, ttl);
        } catch (IllegalArgumentException e) {
            throw new DataPathException(e.getMessage());
        }
        apply(forwarding.settings.withMulticastGroup(wanted));
    }

    // ---------------------------------------------------------------- the target cache

    @Override
    public void setTarget(long mac, UnderlayAddress destination, TargetEntry.Origin origin) {
        resolver.setTarget(mac, destination, origin, forwarding.policy.maxLearned());
    }

    @Override
    public boolean invalidate(long mac) {
        return resolver.invalidate(mac);
    }

    @Override
    public RemoteInvalidation invalidateFrom(long mac, InetAddress sender) {
        return resolver.invalidateFrom(mac, sender);
    }

    @Override
    public void flushTargets() {
        resolver.flush();
    }

    @Override
    public List<TargetEntry> targets() {
        return cache.snapshot(env.nanoTime());
    }

    /** Retries, expiries, ageing and eviction; called periodically by the service's sweeper. */
    public void sweep(long nowNanos) {
        if (mode == SearchMode.DYNAMIC) {
            resolver.sweep(nowNanos, forwarding.lifetimeNanos);
        }
    }

    /** Leaves the underlay and its group; the device carries no more traffic. The caller releases the mux. */
    public synchronized void close() {
        group.leave();
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
        for (LocalPort p : ports.all()) {
            vnics.add(p.stats());
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
    public AutoCloseable snoop(Consumer<SnoopedFrame> listener) {
        return snooper.add(listener);
    }

    @Override
    public String toString() {
        return "overlay " + name + " (vnet " + vnetId + ")";
    }
}
