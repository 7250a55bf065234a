package org.overlaygate.core;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.MemoryPort;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.device.DeviceEnvironment;
import org.overlaygate.core.device.MissRequestImpl;
import org.overlaygate.core.device.PendingBudget;
import org.overlaygate.core.underlay.SourcePorts;
import org.overlaygate.core.underlay.UdpUnderlay;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlaySocket;
import org.overlaygate.core.vnic.FramePort;
import org.overlaygate.core.vnic.FramePortFactory;
import org.overlaygate.core.vnic.MemoryVnic;
import org.overlaygate.core.vnic.PortVnic;
import org.overlaygate.core.vnic.Vnic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path service: owns devices, VNICs, shared underlay sockets, the miss queue and the
 * sweeper that re-asks unanswered misses and expires drop answers. Deactivating it (bundle stop,
 * appliance shutdown) closes every socket and removes every TAP device it created.
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
    private final Map<UnderlayKey, SharedSocket> sockets = new HashMap<>();
    private final SecureRandom random = new SecureRandom();

    private CoreSettings settings;
    private SourcePorts sourcePorts;
    private ArrayBlockingQueue<MissRequestImpl> misses;
    private PendingBudget budget;
    private ScheduledExecutorService sweeper;
    private ThreadPoolExecutor offloader;
    private FramePortFactory framePorts;

    /** A socket and how many devices use it (guarded by the service). */
    private static final class SharedSocket {
        final UnderlaySocket socket;
        int users;

        SharedSocket(UnderlaySocket socket) {
            this.socket = socket;
        }
    }

    public DataPathService() {
    }

    /** For tests: a service with settings and OS ports of the caller's choosing. */
    public DataPathService(CoreSettings settings, FramePortFactory framePorts) {
        start(settings, framePorts);
    }

    @Activate
    void activate(CoreSettings config) {
        start(config, OsFramePorts.create());
    }

    private void start(CoreSettings config, FramePortFactory ports) {
        this.settings = config;
        this.sourcePorts = new SourcePorts(config.sourcePortMin(), config.sourcePortMax(), config.sourcePortPool());
        this.misses = new ArrayBlockingQueue<>(Math.max(1, config.missQueue()));
        this.budget = new PendingBudget(Math.max(1, config.pendingBytesTotal()));
        this.framePorts = ports;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "og-core-sweeper"));
        this.offloader = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), r -> daemon(r, "og-core-offload"),
                new ThreadPoolExecutor.DiscardPolicy());
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("data path started: source ports {}, miss queue {}, pending bytes {}", sourcePorts, config.missQueue(),
                config.pendingBytesTotal());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Deactivate
    public synchronized void deactivate() {
        sweeper.shutdownNow();
        offloader.shutdownNow();
        for (Vnic v : vnics.values()) {
            v.device().removePort(v);
            v.close();
        }
        vnics.clear();
        for (Device d : devices.values()) {
            d.close();
        }
        devices.clear();
        for (SharedSocket s : sockets.values()) {
            s.socket.close();
        }
        sockets.clear();
        misses.clear();
        LOG.info("data path stopped");
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            long retry = TimeUnit.MILLISECONDS.toNanos(settings.missRetryMillis());
            for (Device d : devices.values()) {
                d.sweep(now, retry);
            }
        } catch (RuntimeException e) {
            LOG.error("sweep failed", e); // and the next one runs anyway
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
        devices.put(config.name(), d);
        LOG.info("overlay device {} created (vnet {}, mtu {}, {})", config.name(), config.vnetId(), config.mtu(), config.mode());
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
            throw new DataPathException("overlay " + name + " still has VNICs");
        }
        devices.remove(name);
        d.close();
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
        Vnic vnic;
        switch (config.kind()) {
            case MEMORY:
                vnic = new MemoryVnic(config.name(), macOrGenerated(config.mac()), device, settings.memoryPortQueue());
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
        LOG.info("VNIC {} created on {} ({} {}, {})", config.name(), device.name(), config.kind(),
                vnic.osName() == null ? "" : vnic.osName(), MacAddress.format(vnic.mac()));
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
            return new PortVnic(config.name(), mac, device, VnicConfig.Kind.TAP, port);
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
            return new PortVnic(config.name(), mac, device, VnicConfig.Kind.PCAP, port);
        } catch (IOException e) {
            throw new DataPathException(e.getMessage(), e);
        }
    }

    /** The first ogtapN not used by the host or by a VNIC being created. */
    private String freeTapName() throws DataPathException {
        for (int i = 0; i < 10_000; i++) {
            String candidate = "ogtap" + i;
            final String c = candidate;
            boolean ours = vnics.values().stream().anyMatch(v -> c.equals(v.osName()));
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
        List<DeviceStats.Counters> out = new ArrayList<>();
        for (SharedSocket s : sockets.values()) {
            out.add(s.socket.stats());
        }
        out.sort(Comparator.comparing(DeviceStats.Counters::name));
        return out;
    }

    // ------------------------------------------------------------------ misses

    @Override
    public MissRequest takeMiss(long timeout, TimeUnit unit) throws InterruptedException {
        return misses.poll(timeout, unit);
    }

    @Override
    public boolean offerMiss(MissRequestImpl request) {
        return misses.offer(request);
    }

    /** Misses waiting for varpd now. */
    public int queuedMisses() {
        return misses.size();
    }

    // ------------------------------------------------------------------ DeviceEnvironment

    @Override
    public PendingBudget pendingBudget() {
        return budget;
    }

    @Override
    public long dropLifetimeNanos() {
        return TimeUnit.MILLISECONDS.toNanos(settings.dropLifetimeMillis());
    }

    @Override
    public synchronized UnderlaySocket acquireSocket(UnderlayKey key, UnderlayTransport transport) throws DataPathException {
        SharedSocket shared = sockets.get(key);
        if (shared == null) {
            UnderlaySocket socket;
            if (transport.kind() == UnderlayTransport.Kind.UDP) {
                socket = UdpUnderlay.open(key, sourcePorts, settings.socketBufferBytes());
            } else {
                socket = OsFramePorts.openIpUnderlay(key, transport, settings.socketBufferBytes());
            }
            shared = new SharedSocket(socket);
            sockets.put(key, shared);
        }
        shared.users++;
        return shared.socket;
    }

    @Override
    public synchronized void releaseSocket(UnderlaySocket socket) {
        SharedSocket shared = sockets.get(socket.key());
        if (shared != null && shared.socket == socket && --shared.users <= 0) {
            sockets.remove(socket.key());
            socket.close();
        }
    }

    @Override
    public void offload(Runnable task) {
        try {
            offloader.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("offloaded task failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // saturated or stopping: the report is best effort
        }
    }
}
