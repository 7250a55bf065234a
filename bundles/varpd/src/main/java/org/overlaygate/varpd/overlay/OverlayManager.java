package org.overlaygate.varpd.overlay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.overlaygate.api.GatewayAddresses;
import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.varpd.dhcp.DhcpConfig;
import org.overlaygate.varpd.dhcp.DhcpService;
import org.overlaygate.varpd.plugins.PluginCatalog;
import org.overlaygate.varpd.plugins.PluginLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * varpd's one component: keeps every defined overlay and VNIC alive, and is what the commands and
 * the status service talk to. It wires three parts together, each with one job:
 * <ul>
 * <li>{@link Reconciler}: brings each overlay as close to its definition as what is present allows
 * (adopts or creates its device, binds its plugins, restores its VNICs), on plugin and data path
 * events, every {@value #RETRY_SECONDS} s for what failed, and at start;</li>
 * <li>{@link OverlayOperations}: the commands that create and delete overlays and VNICs, checked,
 * stored, and undone on failure;</li>
 * <li>{@link UpcallDispatcher}: the threads that hand the data path's upcalls to plugin instances.</li>
 * </ul>
 * An overlay that lacks something it needs is DEGRADED with every reason ({@link PartState}) and
 * heals by itself when the thing appears.
 *
 * <p>Concurrency: overlays live in concurrent maps ({@link Overlays}); each is changed under its
 * own monitor only ({@link ManagedOverlay}), one at a time, so a plugin that is slow to start holds
 * up only its own overlay. Plugin and data path events are handled on one reconciling thread,
 * never on the thread that reports them. Upcalls take no lock at all.
 */
@Component(service = OverlayManager.class, immediate = true)
public final class OverlayManager implements PluginCatalog.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayManager.class);
    public static final int MTU_MIN = OverlayValidator.MTU_MIN;
    public static final int MTU_MAX = OverlayValidator.MTU_MAX;
    /** How often overlays that failed to bind something (an interface was missing, say) try again. */
    static final long RETRY_SECONDS = 10;

    @Reference
    private PluginCatalog catalog;
    @Reference
    private DefinitionStore store;
    private volatile DataPath dataPath;

    private PluginLookup plugins;
    private final Overlays state = new Overlays(() -> dataPath);
    private ScheduledExecutorService scheduler;
    private ExecutorService reconcilingThread;
    private PluginBinder binder;
    private Reconciler reconciler;
    private OverlayOperations operations;
    private UpcallDispatcher dispatcher;
    private DhcpBinding dhcp;
    /** The routers' gateway addresses, for DHCP's default {@code dhcp/router}. */
    private final java.util.List<GatewayAddresses> gateways = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean active;

    public OverlayManager() {
    }

    /** For tests: a manager on fakes, activated. */
    OverlayManager(PluginLookup plugins, DefinitionStore store, DataPath dataPath) throws IOException {
        this(plugins, store, dataPath, java.nio.file.Files.createTempDirectory("og-varpd-test"));
    }

    /** For tests: a manager on fakes keeping DHCP leases in {@code dataDir}, activated. */
    OverlayManager(PluginLookup plugins, DefinitionStore store, DataPath dataPath, java.nio.file.Path dataDir) throws IOException {
        this.store = store;
        this.dataPath = dataPath;
        start(plugins, dataDir);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "unbindGateways")
    void bindGateways(GatewayAddresses g) {
        gateways.add(g);
    }

    void unbindGateways(GatewayAddresses g) {
        gateways.remove(g);
    }

    /** The first router's address on the overlay's VLAN, or 0. */
    private int gatewayOf(String overlay, int vlan) {
        for (GatewayAddresses g : gateways) {
            try {
                java.util.Optional<java.net.Inet4Address> a = g.gatewayOf(overlay, vlan);
                if (a.isPresent()) {
                    return java.nio.ByteBuffer.wrap(a.get().getAddress()).getInt();
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("a router's gateway address for overlay {} cannot be read: {}", overlay, e.toString());
            }
        }
        return 0;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDataPath")
    void bindDataPath(DataPath dp) {
        dataPath = dp;
        if (active) {
            LOG.info("data path available: restoring devices and VNICs");
            reconciler.allLater();
        }
    }

    void unbindDataPath(DataPath dp) {
        if (dataPath != dp) {
            return;
        }
        dataPath = null;
        for (ManagedOverlay m : state.overlays.values()) {
            m.deviceGone(); // the devices went with it; a new data path gets new ones
        }
        if (active) {
            reconciler.allLater();
        }
    }

    @Activate
    void activate(org.osgi.framework.BundleContext context) throws IOException {
        String data = context.getProperty("overlaygate.data");
        start(catalog, java.nio.file.Paths.get(data == null || data.isBlank() ? "data" : data));
        catalog.addListener(this);
    }

    private void start(PluginLookup lookup, java.nio.file.Path dataDir) throws IOException {
        plugins = lookup;
        dhcp = new DhcpBinding(new DhcpService(dataDir.resolve("dhcp"), System::currentTimeMillis, this::gatewayOf), state);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "og-varpd-timer"));
        reconcilingThread = Executors.newSingleThreadExecutor(r -> daemon(r, "og-varpd-reconcile"));
        binder = new PluginBinder(plugins, store, scheduler, m -> reconciler.logReasons(m));
        reconciler = new Reconciler(state, plugins, binder, reconcilingThread, dhcp);
        operations = new OverlayOperations(state, store, new OverlayValidator(plugins), binder, reconciler, dhcp);
        for (OverlayDefinition d : store.overlays()) {
            state.overlays.put(d.name, new ManagedOverlay(d));
            state.names.add(d.name);
        }
        for (VnicDefinition v : store.vnics()) {
            state.vnics.put(v.name, v);
            state.names.add(v.name);
        }
        active = true;
        for (ManagedOverlay m : state.overlays.values()) {
            reconciler.reconcile(m);
        }
        dispatcher = new UpcallDispatcher(() -> dataPath, state.overlays::get, 2);
        dispatcher.start();
        scheduler.scheduleWithFixedDelay(() -> reconcilingThread.execute(reconciler::retryFailures), RETRY_SECONDS, RETRY_SECONDS,
                TimeUnit.SECONDS);
        LOG.info("varpd started with {} overlays and {} VNICs", state.overlays.size(), state.vnics.size());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Stops the plugin instances and saves their state. Devices and VNICs stay in the data path:
     * known traffic keeps flowing while varpd is away, and a new varpd adopts them.
     */
    @Deactivate
    void deactivate() {
        active = false;
        reconciler.stop();
        if (catalog != null) {
            catalog.removeListener(this);
        }
        dispatcher.stop();
        reconcilingThread.shutdown();
        try {
            reconcilingThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ManagedOverlay m : state.overlays.values()) {
            synchronized (m) {
                binder.unbindSearch(m, true);
                binder.unbindInvalidation(m);
            }
        }
        scheduler.shutdownNow();
        dhcp.service().stop();
        LOG.info("varpd stopped; devices keep forwarding what they know");
    }

    @Override
    public void pluginsChanged(String kind, String name) {
        if (active) {
            reconciler.pluginChanged(kind, name);
        }
    }

    /**
     * Whether every stored overlay has been reconciled with everything varpd has been told of: the
     * first pass at activation is done and no event waits. Retries every {@value #RETRY_SECONDS} s
     * of what failed for reasons outside varpd's sight do not count: nothing announced them.
     */
    public boolean settled() {
        return active && reconciler.idle();
    }

    /** How long search plugins took to answer misses, by plugin name. */
    public Map<String, LatencyHistogram.Snapshot> lookupLatency() {
        UpcallDispatcher d = dispatcher;
        return d == null ? Map.of() : d.lookupLatency();
    }

    DataPath dataPath() {
        return dataPath;
    }

    /** The overlay of a device, for the upcall threads; no lock. */
    ManagedOverlay overlay(String name) {
        return state.overlays.get(name);
    }

    // ------------------------------------------------------------------ operations (commands)

    /**
     * Creates, starts and stores an overlay. Everything is checked before anything is created, and
     * a failure part-way undoes what was done: nothing half-created is left behind.
     *
     * @throws IllegalArgumentException for bad input, with a one-line reason
     * @throws IllegalStateException when the appliance cannot do it now
     */
    public OverlayView create(String name, String encapName, String searchName, String invalidationName, long vnetId, Integer mtu,
            Integer cacheMax, String accept, Map<String, String> properties) {
        return view(operations.create(
                new OverlayValidator.Request(name, encapName, searchName, invalidationName, vnetId, mtu, cacheMax, accept, properties)));
    }

    /** Deletes an overlay; refused while VNICs are defined on it. */
    public void delete(String name) {
        operations.delete(name);
    }

    public VnicInfo createVnic(String name, String overlay, VnicConfig.Kind kind, String osName, long mac) {
        return operations.createVnic(name, overlay, kind, osName, mac, VnicConfig.NO_VLAN);
    }

    /** A VNIC on a VLAN ({@link VnicConfig#NO_VLAN}: none). */
    public VnicInfo createVnic(String name, String overlay, VnicConfig.Kind kind, String osName, long mac, int vlan) {
        return operations.createVnic(name, overlay, kind, osName, mac, vlan);
    }

    public void deleteVnic(String name) {
        operations.deleteVnic(name);
    }

    /**
     * Changes an overlay's DHCP properties ({@code dhcp/...}): {@code set} given or replaced,
     * {@code unset} removed; checked whole before anything changes, then stored and applied.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public OverlayView setDhcp(String name, Map<String, String> set, java.util.Set<String> unset) {
        ManagedOverlay m = state.require(name);
        synchronized (m) {
            if (m.deleted) {
                throw new IllegalArgumentException("no overlay " + name);
            }
            Map<String, String> props = new TreeMap<>(m.definition.properties);
            for (String k : unset) {
                if (props.remove(k) == null) {
                    throw new IllegalArgumentException("overlay " + name + " has no property " + k);
                }
            }
            props.putAll(set);
            DhcpConfig.parse(props);
            OverlayDefinition changed = m.definition.withProperties(props);
            try {
                store.save(changed);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot store overlay " + name + ": " + e.getMessage());
            }
            m.definition = changed;
            dhcp.sync(m);
        }
        return get(name);
    }

    /** An overlay's DHCP leases. */
    public List<DhcpService.LeaseView> dhcpLeases(String name) {
        state.require(name);
        return dhcp.service().leases(name);
    }

    /** The DHCP networks an overlay serves now, by VLAN. */
    public Map<Integer, String> dhcpNetworks(String name) {
        state.require(name);
        return dhcp.service().networks(name);
    }

    // ------------------------------------------------------------------ queries

    /** Every overlay, sorted by name. */
    public List<OverlayView> list() {
        return state.overlays.values().stream().sorted(Comparator.comparing(ManagedOverlay::name)).map(this::view)
                .collect(Collectors.toList());
    }

    public OverlayView get(String name) {
        return view(state.require(name));
    }

    /** What each overlay's search instance measures of itself ({@link SearchInstance#measurements}), by overlay name. */
    public Map<String, org.overlaygate.api.Measurements> searchMeasurements() {
        Map<String, org.overlaygate.api.Measurements> out = new TreeMap<>();
        for (ManagedOverlay m : state.overlays.values()) {
            SearchInstance instance = m.searchInstance;
            try {
                org.overlaygate.api.Measurements measured = instance == null ? null : instance.measurements();
                if (measured != null) {
                    out.put(m.name(), measured);
                }
            } catch (RuntimeException | LinkageError e) {
                // a plugin being replaced: its overlay has no measurements this time
            }
        }
        return out;
    }

    /** Every VNIC definition with what the data path says of it, sorted by name. */
    public List<VnicView> vnicViews() {
        DataPath dp = dataPath;
        Map<String, VnicInfo> present = new TreeMap<>();
        if (dp != null) {
            dp.vnics().forEach(i -> present.put(i.name(), i));
        }
        List<VnicView> out = new ArrayList<>();
        for (VnicDefinition v : new TreeMap<>(state.vnics).values()) {
            out.add(new VnicView(v.name, v.overlay, v.kind, v.osName, v.mac, v.vlan, present.get(v.name)));
        }
        return out;
    }

    /** The device of an overlay, for cache operations, statistics and snooping. */
    public OverlayDevice device(String name) {
        ManagedOverlay m = state.require(name);
        OverlayDevice d = m.device;
        if (d == null) {
            throw new IllegalStateException("overlay " + name + " has no device now: " + String.join("; ", reconciler.reasons(m)));
        }
        return d;
    }

    public DataPath requireDataPath() {
        return state.requireDataPath();
    }

    /** The property specs of an overlay's plugins, for {@code overlay:show}; empty for absent plugins. */
    public List<PropertySpec> propertySpecs(String name) {
        OverlayDefinition d = state.require(name).definition;
        List<PropertySpec> out = new ArrayList<>();
        Optional<EncapsulationPlugin> encap = plugins.encap(d.encap);
        encap.ifPresent(e -> out.addAll(e.properties()));
        plugins.search(d.search).ifPresent(s -> out.addAll(encap.isPresent() ? s.properties(encap.get().transport()) : s.properties()));
        if (d.invalidation != null) {
            plugins.invalidation(d.invalidation).ifPresent(i -> out.addAll(i.properties()));
        }
        return out;
    }

    /** The vnet id range of an encapsulation, or null when it is not installed. */
    public String vnetRange(String encap) {
        return plugins.encap(encap).map(e -> e.minVnetId() + "-" + e.maxVnetId()).orElse(null);
    }

    private OverlayView view(ManagedOverlay m) {
        return new OverlayView(m.definition, reconciler.reasons(m), m.device, m.policy(), searchStats(m));
    }

    /** The search instance's counters, sorted by name; empty without an instance or when it fails to say. */
    private static Map<String, Long> searchStats(ManagedOverlay m) {
        SearchInstance instance = m.searchInstance;
        if (instance == null) {
            return Map.of();
        }
        try {
            return Collections.unmodifiableMap(new TreeMap<>(instance.stats()));
        } catch (RuntimeException | LinkageError e) {
            return Map.of(); // a plugin being replaced: its counters are not worth an error on the shell
        }
    }
}
