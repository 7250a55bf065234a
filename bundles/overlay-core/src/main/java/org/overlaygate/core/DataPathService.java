package org.overlaygate.core;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.HostLink;
import org.overlaygate.api.datapath.HostLinkHandler;
import org.overlaygate.api.datapath.MemoryPort;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.core.base.Offload;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.device.DeviceEnvironment;
import org.overlaygate.core.device.PendingBudget;
import org.overlaygate.core.device.Upcalls;
import org.overlaygate.core.underlay.IpMux;
import org.overlaygate.core.underlay.SourcePorts;
import org.overlaygate.core.underlay.UdpMux;
import org.overlaygate.core.vnic.FramePort;
import org.overlaygate.core.vnic.FramePortFactory;
import org.overlaygate.core.vnic.HostLinkLease;
import org.overlaygate.core.vnic.HostLinkPort;
import org.overlaygate.core.vnic.MemoryVnic;
import org.overlaygate.core.os.Kernel;
import org.overlaygate.core.os.DataPathScheduling;
import org.overlaygate.core.os.TapDevice;
import org.overlaygate.core.vnic.PortVnic;
import org.overlaygate.core.vnic.TcpCoalescer;
import org.overlaygate.core.vnic.Vnic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path service: owns devices, VNICs, the underlay muxes, the binding of devices to
 * encapsulation plugins, the upcall queue, and the sweeper that re-asks unanswered misses and ages
 * the target caches. Deactivating it (bundle stop, appliance shutdown) closes every socket and
 * removes every TAP device it created.
 *
 * <p>Lock order: this service's monitor, then a device's, then a cache entry's. Everything that
 * changes the set of devices, VNICs, muxes or plugin bindings holds this monitor; the frame paths
 * never take it.
 */
@Component(service = DataPath.class, immediate = true, configurationPid = "org.overlaygate.core")
@Designate(ocd = CoreSettings.class)
public final class DataPathService implements DataPath, DeviceEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(DataPathService.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,30}");
    private static final Pattern OS_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final long SWEEP_MILLIS = 500;

    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Map<String, Vnic> vnics = new ConcurrentHashMap<>();
    /** Host links by interface name. */
    private final Map<String, HostLinkPort> links = new ConcurrentHashMap<>();
    /** How long a TAP device a service closed is kept for the service's next version (its bundle updated). */
    long hostLinkLingerMillis = 10_000;
    private final SecureRandom random = new SecureRandom();

    /** The framework property that says which offloads to use, when ConfigAdmin does not. */
    static final String OFFLOADS_PROPERTY = "overlaygate.core.offloads";
    /** The framework property that says how long data path threads busy-poll, when ConfigAdmin does not. */
    static final String BUSY_POLL_PROPERTY = "overlaygate.core.busyPollMicros";
    /** The framework property that says how many queues a TAP device has, when ConfigAdmin does not. */
    static final String TAP_QUEUES_PROPERTY = "overlaygate.core.tapQueues";
    /** Queues per TAP device unless a setting says otherwise. */
    static final int DEFAULT_TAP_QUEUES = 8;
    /** The framework property that says how many sockets receive on a UDP listen port, when ConfigAdmin does not. */
    static final String UNDERLAY_QUEUES_PROPERTY = "overlaygate.core.underlayQueues";
    /** Receiving sockets per UDP listen address and port unless a setting says otherwise. */
    static final int DEFAULT_UNDERLAY_QUEUES = 4;
    /** At most this many: each is a thread. */
    static final int MAX_UNDERLAY_QUEUES = 16;
    /** The framework property that says what time slice data path threads ask for, when ConfigAdmin does not. */
    static final String THREAD_SLICE_PROPERTY = "overlaygate.core.threadSliceMicros";
    /** The slice data path threads ask for unless a setting says otherwise (0: the scheduler's default). */
    static final int DEFAULT_THREAD_SLICE_MICROS = 300;
    /** The framework property that says what nice value data path threads take, when ConfigAdmin does not. */
    static final String THREAD_NICE_PROPERTY = "overlaygate.core.threadNice";
    /** The setting that keeps the nice value data path threads inherit. */
    static final String INHERIT_NICE = "inherit";
    /**
     * The nice value data path threads take unless a setting says otherwise: a larger share of a
     * busy CPU than the VMs' processes at 0 (about three times theirs), which bought two hosts'
     * TCP 40-50% and cut the appliances' CPU per GB by a quarter (docs/performance.md).
     */
    static final int DEFAULT_THREAD_NICE = -5;
    /** The framework property that says what real-time priority light path threads take, when ConfigAdmin does not. */
    static final String REALTIME_PRIORITY_PROPERTY = "overlaygate.core.realtimePriority";

    private CoreSettings settings;
    private Set<Offload> allowed;
    private MuxRegistry muxes;
    private EncapsulationBinder binder;
    private ArrayBlockingQueue<Upcalls.Base> upcalls;
    private int upcallShare;
    private PendingBudget budget;
    private ScheduledExecutorService sweeper;
    private FramePortFactory framePorts;
    /** Plugin services DS bound before activation, handed to the binder on activation. */
    private final List<EncapsulationBinder.PluginService> early = new ArrayList<>();

    public DataPathService() {
    }

    /** For tests: a service with settings, OS ports and muxes of the caller's choosing. */
    public DataPathService(CoreSettings settings, FramePortFactory framePorts) {
        start(settings, framePorts, Offload.parse(settings.offloads()), Offload.forced(settings.offloads()),
                Math.max(0, settings.busyPollMicros()) * 1000L, underlayQueues(settings.underlayQueues(), null));
    }

    @Activate
    void activate(CoreSettings config, BundleContext context) {
        String setting = config.offloads() == null || config.offloads().isBlank() ? context.getProperty(OFFLOADS_PROPERTY) : config.offloads();
        Set<Offload> allowed;
        Set<Offload> forced;
        try {
            allowed = Offload.parse(setting);
            forced = Offload.forced(setting);
        } catch (IllegalArgumentException e) {
            LOG.error("offloads setting '{}' refused ({}): using none", setting, e.getMessage());
            allowed = EnumSet.noneOf(Offload.class);
            forced = EnumSet.noneOf(Offload.class);
        }
        long busyPoll = micros(config.busyPollMicros(), context.getProperty(BUSY_POLL_PROPERTY), BUSY_POLL_PROPERTY, 0) * 1000L;
        int tapQueues = tapQueues(config.tapQueues(), context.getProperty(TAP_QUEUES_PROPERTY));
        int underlayQueues = underlayQueues(config.underlayQueues(), context.getProperty(UNDERLAY_QUEUES_PROPERTY));
        long sliceMicros = micros(config.threadSliceMicros(), context.getProperty(THREAD_SLICE_PROPERTY), THREAD_SLICE_PROPERTY,
                DEFAULT_THREAD_SLICE_MICROS);
        Integer nice = threadNice(config.threadNice(), context.getProperty(THREAD_NICE_PROPERTY));
        int realtime = realtimePriority(config.realtimePriority(), context.getProperty(REALTIME_PRIORITY_PROPERTY));
        DataPathScheduling.setForDataPath(sliceMicros, nice, realtime);
        start(config, OsFramePorts.create(allowed, busyPoll, tapQueues), allowed, forced, busyPoll, underlayQueues);
        LOG.info("TAP devices get {} queues, UDP listen ports {} receiving sockets, data path threads a slice of {} µs (0: the"
                + " scheduler's default) and nice {}, light path threads {}", tapQueues, underlayQueues, sliceMicros,
                nice == null ? "inherited" : nice, realtime == 0 ? "the same" : "SCHED_FIFO " + realtime);
    }

    /**
     * The data path threads' nice value: ConfigAdmin's when it set one, else the framework
     * property's, else {@link #DEFAULT_THREAD_NICE}; {@value #INHERIT_NICE} (null) keeps the one
     * they inherit. A value out of -20 to 19, or not a number, is refused with one line in the log
     * (the default then).
     */
    static Integer threadNice(String configured, String property) {
        String value = configured != null && !configured.isBlank() ? configured : property;
        if (value == null || value.isBlank()) {
            return DEFAULT_THREAD_NICE;
        }
        if (INHERIT_NICE.equals(value.trim())) {
            return null;
        }
        try {
            int nice = Integer.parseInt(value.trim());
            if (nice >= DataPathScheduling.NICE_MIN && nice <= DataPathScheduling.NICE_MAX) {
                return nice;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        LOG.error("threadNice '{}' refused ({} to {}, or {}): using {}", value, DataPathScheduling.NICE_MIN, DataPathScheduling.NICE_MAX,
                INHERIT_NICE, DEFAULT_THREAD_NICE);
        return DEFAULT_THREAD_NICE;
    }

    /**
     * The light path threads' SCHED_FIFO priority: {@link #boundedInt} of 0 (none) to
     * {@value DataPathScheduling#REALTIME_MAX}, else 0.
     */
    static int realtimePriority(int configured, String property) {
        return boundedInt("realtimePriority", configured, property, 0, DataPathScheduling.REALTIME_MAX, 0);
    }

    /** Queues per TAP device: {@link #boundedInt} of 1 to {@value TapDevice#MAX_QUEUES}, else {@link #DEFAULT_TAP_QUEUES}. */
    static int tapQueues(int configured, String property) {
        return boundedInt("tapQueues", configured, property, 1, TapDevice.MAX_QUEUES, DEFAULT_TAP_QUEUES);
    }

    /**
     * Receiving sockets per UDP listen address and port: {@link #boundedInt} of 1 to
     * {@value #MAX_UNDERLAY_QUEUES}, else {@link #DEFAULT_UNDERLAY_QUEUES}.
     */
    static int underlayQueues(int configured, String property) {
        return boundedInt("underlayQueues", configured, property, 1, MAX_UNDERLAY_QUEUES, DEFAULT_UNDERLAY_QUEUES);
    }

    /**
     * A whole number setting: ConfigAdmin's when it set one ({@code min} or more; below: not set),
     * else the framework property's, else {@code fallback}. A number out of {@code min} to
     * {@code max}, or not a number, is refused with one line in the log (the fallback then).
     */
    static int boundedInt(String name, int configured, String property, int min, int max, int fallback) {
        String value = configured >= min ? Integer.toString(configured) : property;
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        LOG.error("{} '{}' refused ({} to {}): using {}", name, value, min, max, fallback);
        return fallback;
    }

    /**
     * A time in microseconds: ConfigAdmin's when it set one (0 or more), else the framework
     * property's, else {@code fallback}. A property that is not a number of 0 or more is refused
     * with one line in the log ({@code fallback} then).
     */
    static long micros(int configured, String property, String name, long fallback) {
        if (configured >= 0) {
            return configured;
        }
        if (property == null || property.isBlank()) {
            return fallback;
        }
        try {
            long micros = Long.parseLong(property.trim());
            if (micros >= 0) {
                return micros;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        LOG.error("{} '{}' refused (microseconds, 0 or more): using {}", name, property, fallback);
        return fallback;
    }

    private synchronized void start(CoreSettings config, FramePortFactory ports, Set<Offload> allowed, Set<Offload> forced,
            long busyPollNanos, int underlayQueues) {
        this.settings = config;
        this.allowed = allowed;
        SourcePorts sourcePorts = new SourcePorts(config.sourcePortMin(), config.sourcePortMax(), config.sourcePortPool());
        // Each receive thread coalesces TCP segments for TAP VNICs, unless tap_gro is off.
        Supplier<TcpCoalescer> batches = allowed.contains(Offload.TAP_GRO) ? TcpCoalescer::new : () -> null;
        this.muxes = new MuxRegistry((key, transport) -> {
            if (transport.kind() == UnderlayTransport.Kind.UDP) {
                UdpMux m = UdpMux.open(key, sourcePorts, underlayQueues, config.socketBufferBytes(), allowed, forced, batches);
                m.busyPoll(busyPollNanos);
                return m;
            }
            IpMux m = IpMux.open(key, transport.number(), config.socketBufferBytes(), allowed, batches);
            m.busyPoll(busyPollNanos);
            return m;
        });
        this.binder = new EncapsulationBinder(muxes);
        int capacity = Math.max(1, config.missQueue());
        this.upcalls = new ArrayBlockingQueue<>(capacity);
        this.upcallShare = Math.max(Math.min(capacity, 64), capacity / 4);
        this.budget = new PendingBudget(Math.max(1, config.pendingBytesTotal()));
        this.framePorts = ports;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "og-core-sweeper"));
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        for (EncapsulationBinder.PluginService s : early) {
            binder.added(s, List.of());
        }
        early.clear();
        LOG.info("data path started: source ports {}, upcall queue {} ({} per overlay), pending bytes {}, offloads allowed {}, busy-poll {} µs"
                + " (Linux {})", sourcePorts, capacity, upcallShare, config.pendingBytesTotal(), allowed, busyPollNanos / 1000, Kernel.release());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Deactivate
    public synchronized void deactivate() {
        sweeper.shutdownNow();
        for (Vnic v : vnics.values()) {
            v.device().removePort(v);
            v.close();
        }
        vnics.clear();
        for (HostLinkPort l : List.copyOf(links.values())) {
            l.close();
        }
        for (Device d : devices.values()) {
            d.close();
        }
        devices.clear();
        muxes.closeAll();
        upcalls.clear();
        LOG.info("data path stopped");
    }

    private void sweep() {
        try {
            long now = nanoTime();
            for (Device d : devices.values()) {
                d.sweep(now);
            }
        } catch (RuntimeException e) {
            LOG.error("sweep failed", e); // and the next one runs anyway
        }
    }

    // ------------------------------------------------------------------ encapsulation plugins

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeEncapsulation")
    synchronized void addEncapsulation(ServiceReference<EncapsulationPlugin> ref, EncapsulationPlugin plugin) {
        addEncapsulation(plugin, ref.getBundle() == null ? "?" : ref.getBundle().getVersion().toString(), ranking(ref),
                (Long) ref.getProperty(Constants.SERVICE_ID));
    }

    synchronized void removeEncapsulation(ServiceReference<EncapsulationPlugin> ref, EncapsulationPlugin plugin) {
        removeEncapsulation(plugin);
    }

    private static int ranking(ServiceReference<?> ref) {
        Object r = ref.getProperty(Constants.SERVICE_RANKING);
        return r instanceof Integer ? (Integer) r : 0;
    }

    /** An encapsulation plugin appeared (DS, or a test): devices of its name bind to it. */
    public synchronized void addEncapsulation(EncapsulationPlugin plugin, String version, int ranking, long serviceId) {
        EncapsulationBinder.PluginService s = new EncapsulationBinder.PluginService(plugin, version, ranking, serviceId);
        if (binder == null) {
            early.add(s); // DS binds references before it activates
        } else {
            binder.added(s, devices.values());
        }
    }

    /** An encapsulation plugin went: devices keep forwarding with what they have, or move to another version. */
    public synchronized void removeEncapsulation(EncapsulationPlugin plugin) {
        if (binder == null) {
            early.removeIf(s -> s.plugin == plugin);
        } else {
            binder.removed(plugin, devices.values());
        }
    }

    // ------------------------------------------------------------------ devices

    @Override
    public synchronized OverlayDevice createDevice(DeviceConfig config) throws DataPathException {
        if (!NAME.matcher(config.name()).matches()) {
            throw new DataPathException("bad overlay name '" + config.name() + "': a letter, then up to 30 letters, digits, '_', '.', '-'");
        }
        if (devices.containsKey(config.name()) || vnics.containsKey(config.name())) {
            throw new DataPathException("the name " + config.name() + " is already in use");
        }
        Device d = new Device(config, this);
        try {
            binder.bind(d); // an absent plugin leaves an unbound device, bound when it comes
        } catch (DataPathException e) {
            throw new DataPathException("encapsulation " + config.encapsulation() + " refused the overlay: " + e.getMessage(), e);
        }
        devices.put(config.name(), d);
        LOG.info("overlay device {} created (vnet {}, mtu {}, {}, {})", config.name(), config.vnetId(), config.mtu(), config.mode(),
                d.faults().isEmpty() ? config.encapsulation() : String.join("; ", d.faults()));
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
        Device d = devices.get(name);
        if (d == null) {
            throw new DataPathException("no overlay device " + name);
        }
        if (d.portCount() > 0) {
            throw new DataPathException("overlay " + name + " still has ports: " + String.join(", ", d.portNames()));
        }
        devices.remove(name);
        binder.unbind(d);
        LOG.info("overlay device {} destroyed", name);
    }

    // ------------------------------------------------------------------ VNICs

    @Override
    public synchronized VnicInfo createVnic(VnicConfig config) throws DataPathException {
        if (!NAME.matcher(config.name()).matches()) {
            throw new DataPathException("bad VNIC name '" + config.name() + "': a letter, then up to 30 letters, digits, '_', '.', '-'");
        }
        if (vnics.containsKey(config.name()) || devices.containsKey(config.name())) {
            throw new DataPathException("the name " + config.name() + " is already in use");
        }
        Device device = devices.get(config.device());
        if (device == null) {
            throw new DataPathException("no overlay " + config.device());
        }
        if (config.mac() >= 0 && (MacAddress.isGroup(config.mac()) || config.mac() == 0)) {
            throw new DataPathException("MAC " + MacAddress.format(config.mac()) + " is not a unicast address");
        }
        if (config.vlan() != VnicConfig.NO_VLAN) {
            String refused = device.refusesVlans();
            if (refused != null) {
                throw new DataPathException("VNIC " + config.name() + " cannot be on VLAN " + config.vlan() + ": " + refused);
            }
        }
        Vnic vnic;
        switch (config.kind()) {
            case MEMORY:
                vnic = new MemoryVnic(config.name(), macOrGenerated(config.mac()), device, settings.memoryPortQueue(), config.vlan());
                break;
            case TAP:
                vnic = openTap(config, device);
                break;
            case PCAP:
                vnic = openPcap(config, device);
                break;
            default:
                throw new DataPathException("unknown VNIC kind " + config.kind());
        }
        try {
            device.addPort(vnic);
        } catch (DataPathException e) {
            vnic.close();
            throw e;
        }
        vnics.put(config.name(), vnic);
        vnic.start();
        LOG.info("VNIC {} created on {} ({} {}, {}{}){}", config.name(), device.name(), config.kind(),
                vnic.osName() == null ? "" : vnic.osName(), MacAddress.format(vnic.mac()),
                config.vlan() == VnicConfig.NO_VLAN ? "" : ", VLAN " + config.vlan(),
                vnic instanceof PortVnic && config.kind() == VnicConfig.Kind.TAP ? ", offloads " + ((PortVnic) vnic).offloads() : "");
        return vnic.info();
    }

    private Vnic openTap(VnicConfig config, Device device) throws DataPathException {
        String tapName = config.osName() != null ? config.osName() : freeTapName();
        if (!OS_NAME.matcher(tapName).matches()) {
            throw new DataPathException("bad TAP device name '" + tapName + "': 1-15 letters, digits, '_', '.', '-'");
        }
        long mac = macOrGenerated(config.mac());
        try {
            FramePort port = framePorts.openTap(tapName, mac, device.mtu());
            return new PortVnic(config.name(), mac, device, VnicConfig.Kind.TAP, port, config.vlan());
        } catch (IOException e) {
            throw new DataPathException(e.getMessage(), e);
        }
    }

    private Vnic openPcap(VnicConfig config, Device device) throws DataPathException {
        if (config.osName() == null) {
            throw new DataPathException("a pcap VNIC needs the interface to attach to");
        }
        try {
            FramePort port = framePorts.openPcap(config.osName());
            long mac = config.mac() >= 0 ? config.mac() : port.macAddress();
            return new PortVnic(config.name(), mac, device, VnicConfig.Kind.PCAP, port, config.vlan());
        } catch (IOException e) {
            throw new DataPathException(e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ host links

    /**
     * {@inheritDoc}
     *
     * <p>A TAP device a service closed is kept, without a handler, for {@link #hostLinkLingerMillis}:
     * opened again by that name meanwhile (the service's bundle updated), it is the same device,
     * with whatever the host configured on it. An attached interface is let go at once.
     */
    @Override
    public synchronized HostLink openHostLink(String osName, int mtu, HostLinkHandler handler) throws DataPathException {
        if (osName == null || !OS_NAME.matcher(osName).matches()) {
            throw new DataPathException("bad interface name '" + osName + "': 1-15 letters, digits, '_', '.', '-'");
        }
        HostLinkPort kept = links.get(osName);
        if (kept != null && !kept.claimed()) {
            kept.claim(handler);
            LOG.info("host link {} taken up again (the TAP device kept since its last service closed it)", osName);
            return new HostLinkLease(kept, this::release);
        }
        if (kept != null) {
            throw new DataPathException(osName + " is in use by another host link");
        }
        if (vnics.values().stream().anyMatch(v -> osName.equals(v.osName()))) {
            throw new DataPathException(osName + " is in use by a VNIC");
        }
        boolean attach = framePorts.interfaceExists(osName);
        if (!attach && (mtu < 68 || mtu > 65535)) {
            throw new DataPathException("MTU " + mtu + " is outside 68-65535");
        }
        HostLinkPort link;
        try {
            FramePort port = attach ? framePorts.openPcap(osName) : framePorts.openPlainTap(osName, macOrGenerated(-1), mtu);
            try {
                link = new HostLinkPort(port, !attach, attach ? framePorts.interfaceMtu(osName) : mtu, handler, () -> links.remove(osName));
            } catch (IOException e) {
                port.close();
                throw e;
            }
        } catch (IOException e) {
            throw new DataPathException(e.getMessage(), e);
        }
        links.put(osName, link);
        link.start();
        LOG.info("host link {} opened ({}, MTU {})", osName, link.createdTap() ? "TAP device created" : "attached through pcap", link.mtu());
        return new HostLinkLease(link, this::release);
    }

    /** A lease was closed: a TAP device waits a while for its service's next version, an attached interface is let go. */
    private void release(HostLinkPort link) {
        if (!link.createdTap() || sweeper.isShutdown()) {
            link.close();
            return;
        }
        try {
            sweeper.schedule(() -> closeUnclaimed(link), hostLinkLingerMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) { // stopping meanwhile
            link.close();
        }
    }

    private synchronized void closeUnclaimed(HostLinkPort link) {
        if (!link.claimed()) {
            link.close();
            LOG.info("host link {} closed: no service took it up again within {} ms", link.osName(), hostLinkLingerMillis);
        }
    }

    /** The first ogtapN not used by the host or by a VNIC being created. */
    private String freeTapName() throws DataPathException {
        for (int i = 0; i < 10_000; i++) {
            String candidate = "ogtap" + i;
            boolean ours = vnics.values().stream().anyMatch(v -> candidate.equals(v.osName())) || links.containsKey(candidate);
            if (!ours && !framePorts.interfaceExists(candidate)) {
                return candidate;
            }
        }
        throw new DataPathException("no free TAP device name ogtap0-ogtap9999");
    }

    /**
     * The given MAC, or a random locally administered unicast one with the 02:08:20 prefix illumos
     * uses for generated VNIC addresses.
     */
    private long macOrGenerated(long mac) {
        return mac >= 0 ? mac : 0x020820L << 24 | (random.nextInt() & 0xFF_FFFFL);
    }

    @Override
    public synchronized void deleteVnic(String name) throws DataPathException {
        Vnic v = vnics.remove(name);
        if (v == null) {
            throw new DataPathException("no VNIC " + name);
        }
        v.device().removePort(v);
        v.close();
        LOG.info("VNIC {} deleted", name);
    }

    @Override
    public List<VnicInfo> vnics() {
        List<VnicInfo> out = new ArrayList<>();
        for (Vnic v : vnics.values()) {
            out.add(v.info());
        }
        out.sort(Comparator.comparing(VnicInfo::name));
        return out;
    }

    @Override
    public Optional<MemoryPort> memoryPort(String vnicName) {
        Vnic v = vnics.get(vnicName);
        return v instanceof MemoryVnic ? Optional.of((MemoryVnic) v) : Optional.empty();
    }

    @Override
    public synchronized List<DeviceStats.Counters> underlayStats() {
        return muxes.stats();
    }

    @Override
    public java.util.Set<String> dropReasons() {
        return org.overlaygate.core.base.DropReasons.all();
    }

    @Override
    public synchronized Map<String, Map<String, String>> offloads() {
        Map<String, Map<String, String>> out = new TreeMap<>(muxes.offloads());
        for (Vnic v : vnics.values()) {
            if (v instanceof PortVnic && v.kind() == VnicConfig.Kind.TAP) {
                out.put(v.name(), ((PortVnic) v).offloads());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ upcalls

    @Override
    public Upcall takeUpcall(long timeout, TimeUnit unit) throws InterruptedException {
        Upcalls.Base u = upcalls.poll(timeout, unit);
        if (u != null) {
            u.markTaken();
        }
        return u;
    }

    @Override
    public int queuedUpcalls() {
        return upcalls.size();
    }

    // ------------------------------------------------------------------ DeviceEnvironment

    @Override
    public boolean offerUpcall(Upcalls.Base upcall) {
        return upcalls.offer(upcall);
    }

    @Override
    public int upcallShare() {
        return upcallShare;
    }

    @Override
    public PendingBudget pendingBudget() {
        return budget;
    }

    @Override
    public long dropLifetimeNanos() {
        return TimeUnit.MILLISECONDS.toNanos(settings.dropLifetimeMillis());
    }

    @Override
    public long missRetryNanos() {
        return TimeUnit.MILLISECONDS.toNanos(settings.missRetryMillis());
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
