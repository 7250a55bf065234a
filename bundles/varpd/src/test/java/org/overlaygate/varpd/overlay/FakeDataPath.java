package org.overlaygate.varpd.overlay;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceSettings;
import org.overlaygate.api.datapath.MulticastGroup;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.MemoryPort;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.SnoopedFrame;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;

/** A data path in memory: devices that record what varpd asks of them, and an upcall queue the test fills. */
final class FakeDataPath implements DataPath {
    final Map<String, Device> devices = new ConcurrentHashMap<>();
    final Map<String, VnicInfo> vnics = new ConcurrentHashMap<>();
    final LinkedBlockingQueue<Upcall> upcalls = new LinkedBlockingQueue<>();
    /** Encapsulations the data path refuses to bind, by name: the message. */
    final Map<String, String> refuse = new ConcurrentHashMap<>();

    @Override
    public synchronized OverlayDevice createDevice(DeviceConfig config) throws DataPathException {
        if (devices.containsKey(config.name())) {
            throw new DataPathException("the name " + config.name() + " is already in use");
        }
        String refusal = refuse.get(config.encapsulation());
        if (refusal != null) {
            throw new DataPathException("encapsulation " + config.encapsulation() + " refused the overlay: " + refusal);
        }
        Device d = new Device(config);
        devices.put(config.name(), d);
        return d;
    }

    @Override
    public Optional<OverlayDevice> device(String name) {
        return Optional.ofNullable(devices.get(name));
    }

    @Override
    public List<OverlayDevice> devices() {
        List<OverlayDevice> out = new ArrayList<>(devices.values());
        out.sort(Comparator.comparing(OverlayDevice::name));
        return out;
    }

    @Override
    public synchronized void destroyDevice(String name) throws DataPathException {
        if (devices.remove(name) == null) {
            throw new DataPathException("no overlay device " + name);
        }
    }

    @Override
    public synchronized VnicInfo createVnic(VnicConfig config) throws DataPathException {
        if (!devices.containsKey(config.device())) {
            throw new DataPathException("no overlay " + config.device());
        }
        VnicInfo info = new VnicInfo(config.name(), config.device(), config.kind(), config.osName(), config.mac() < 0 ? 0x020820000001L
                : config.mac(), 1400, config.vlan());
        vnics.put(config.name(), info);
        return info;
    }

    @Override
    public void deleteVnic(String name) throws DataPathException {
        if (vnics.remove(name) == null) {
            throw new DataPathException("no VNIC " + name);
        }
    }

    @Override
    public List<VnicInfo> vnics() {
        return new ArrayList<>(vnics.values());
    }

    @Override
    public Optional<MemoryPort> memoryPort(String vnicName) {
        return Optional.empty();
    }

    @Override
    public List<DeviceStats.Counters> underlayStats() {
        return List.of();
    }

    @Override
    public Upcall takeUpcall(long timeout, TimeUnit unit) throws InterruptedException {
        return upcalls.poll(timeout, unit);
    }

    @Override
    public int queuedUpcalls() {
        return upcalls.size();
    }

    /** A device that records what it is told. */
    static final class Device implements OverlayDevice {
        final DeviceConfig config;
        volatile DeviceSettings settings = DeviceSettings.NONE;
        /** Every join and leave of a multicast group, in order: "join 239.1.1.1/eth0/1", "leave ...". */
        final List<String> groupChanges = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<Long, UnderlayAddress> targets = new ConcurrentHashMap<>();
        final Map<Long, TargetEntry.Origin> origins = new ConcurrentHashMap<>();
        final List<byte[]> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<byte[]> proxyReplies = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, Long> events = new ConcurrentHashMap<>();
        final List<String> faults = new java.util.concurrent.CopyOnWriteArrayList<>();

        Device(DeviceConfig config) {
            this.config = config;
        }

        @Override
        public String name() {
            return config.name();
        }

        @Override
        public long vnetId() {
            return config.vnetId();
        }

        @Override
        public int mtu() {
            return config.mtu();
        }

        @Override
        public SearchMode mode() {
            return config.mode();
        }

        @Override
        public String encapsulationName() {
            return config.encapsulation();
        }

        @Override
        public String encapsulationVersion() {
            return "1.0.0";
        }

        @Override
        public UnderlayAddress listenAddress() {
            return UnderlayAddress.parse("10.0.0.1:4789");
        }

        @Override
        public List<String> faults() {
            return List.copyOf(faults);
        }

        @Override
        public DeviceSettings settings() {
            return settings;
        }

        @Override
        public synchronized void apply(DeviceSettings next) throws DataPathException {
            MulticastGroup before = settings.multicastGroup();
            MulticastGroup after = next.multicastGroup();
            if (!java.util.Objects.equals(before, after)) {
                if (before != null) {
                    groupChanges.add("leave " + describe(before));
                }
                if (after != null && "nosuch0".equals(after.interfaceName())) {
                    settings = next.withMulticastGroup(null);
                    throw new DataPathException("no network interface nosuch0");
                }
                if (after != null) {
                    groupChanges.add("join " + describe(after));
                }
            }
            settings = next;
        }

        private static String describe(MulticastGroup g) {
            return g.address().getHostAddress() + "/" + g.interfaceName() + "/" + g.ttl();
        }

        /** The group joined now, as "239.1.1.1/eth0/1", or null. */
        String group() {
            MulticastGroup g = settings.multicastGroup();
            return g == null ? null : describe(g);
        }

        @Override
        public synchronized void setPointDestination(UnderlayAddress destination) {
            settings = settings.withPointDestination(destination);
        }

        @Override
        public UnderlayAddress pointDestination() {
            return settings.pointDestination();
        }

        @Override
        public synchronized void setFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast) {
            settings = settings.withFloodTargets(destinations, unknownUnicast);
        }

        @Override
        public List<UnderlayAddress> floodTargets() {
            return settings.floodTargets();
        }

        @Override
        public synchronized void setTargetPolicy(TargetPolicy p) {
            settings = settings.withTargetPolicy(p);
        }

        @Override
        public synchronized void setAddressProxy(boolean on) {
            settings = settings.withAddressProxy(on);
        }

        @Override
        public void setMulticastGroup(InetAddress g, String interfaceName, int ttl) throws DataPathException {
            apply(settings.withMulticastGroup(g == null ? null : MulticastGroup.of(g, interfaceName, ttl)));
        }

        /** Ports attached and not closed, by name. */
        final Map<String, Port> ports = new ConcurrentHashMap<>();

        /** An attached port: records what is sent through it; its handler is the test's to call. */
        final class Port extends org.overlaygate.testsupport.RecordingPort {
            Port(String name, long mac, int vlan, org.overlaygate.api.datapath.PortHandler handler) {
                super(name, mac, vlan, handler, Device.this, () -> ports.remove(name));
            }
        }

        @Override
        public org.overlaygate.api.datapath.AttachedPort attachPort(String name, long mac, boolean shared,
                org.overlaygate.api.datapath.PortHandler handler) throws DataPathException {
            return attachPort(name, mac, shared, -1, handler);
        }

        @Override
        public org.overlaygate.api.datapath.AttachedPort attachPort(String name, long mac, boolean shared, int vlan,
                org.overlaygate.api.datapath.PortHandler handler) throws DataPathException {
            Port p = new Port(name, mac, vlan, handler);
            if (ports.putIfAbsent(name, p) != null) {
                throw new DataPathException("port " + name + " exists");
            }
            return p;
        }

        @Override
        public void setTarget(long mac, UnderlayAddress destination, TargetEntry.Origin origin) {
            targets.put(mac, destination);
            origins.put(mac, origin);
        }

        @Override
        public boolean invalidate(long mac) {
            origins.remove(mac);
            return targets.remove(mac) != null;
        }

        @Override
        public RemoteInvalidation invalidateFrom(long mac, InetAddress sender) {
            UnderlayAddress at = targets.get(mac);
            if (at == null) {
                return RemoteInvalidation.NOT_CACHED;
            }
            if (!at.address().equals(sender)) {
                return RemoteInvalidation.UNKNOWN_SENDER;
            }
            if (origins.get(mac) == TargetEntry.Origin.STATIC) {
                return RemoteInvalidation.OPERATOR_ENTRY;
            }
            invalidate(mac);
            return RemoteInvalidation.APPLIED;
        }

        @Override
        public void flushTargets() {
            targets.clear();
        }

        @Override
        public List<TargetEntry> targets() {
            return List.of();
        }

        @Override
        public void deliverLocally(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            delivered.add(b);
        }

        @Override
        public void deliverProxyReply(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            proxyReplies.add(b);
        }

        @Override
        public DeviceStats stats() {
            return new DeviceStats(name(), new DeviceStats.Counters(name(), 0, 0, 0, 0, Map.of()), 0, 0, targets.size(), 0, List.of(),
                    new TreeMap<>(events));
        }

        @Override
        public void countEvent(String event) {
            events.merge(event, 1L, Long::sum);
        }

        long event(String name) {
            return events.getOrDefault(name, 0L);
        }

        @Override
        public AutoCloseable snoop(Consumer<SnoopedFrame> listener) {
            return () -> { };
        }
    }
}
