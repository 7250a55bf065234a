package org.overlaygate.varpd.overlay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.varpd.plugins.PluginCatalog;
import org.overlaygate.varpd.plugins.PluginInfo;
import org.overlaygate.varpd.plugins.PluginLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every defined overlay and VNIC alive: creates devices from the stored definitions (or adopts
 * the ones a data path kept while varpd was away), binds each overlay's search and invalidation
 * plugins, re-binds when a plugin or the data path comes, goes or is replaced, and serves the
 * commands that change them. An overlay that lacks something it needs is DEGRADED with every reason
 * and heals by itself when the thing appears.
 *
 * <p>Concurrency: overlays live in a concurrent map; each is changed under its own monitor only
 * ({@link ManagedOverlay}), one at a time, so a plugin that is slow to start holds up only its own
 * overlay. Plugin and data path events are handled on one reconciling thread, never on the thread
 * that reports them. Upcalls ({@link UpcallDispatcher}) take no lock at all. The name space shared
 * by overlays and VNICs is guarded by {@link #names}.
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
    private final Map<String, ManagedOverlay> overlays = new ConcurrentHashMap<>();
    private final Map<String, VnicDefinition> vnics = new ConcurrentHashMap<>();
    /** Names of overlays and VNICs, created or being created: one name space. */
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService scheduler;
    private ExecutorService reconciler;
    private OverlayValidator validator;
    private PluginBinder binder;
    private UpcallDispatcher dispatcher;
    private volatile boolean active;
    /** Reconciliations asked for and not yet done (plugin and data path events); 0 and active: settled. */
    private final AtomicInteger queued = new AtomicInteger();

    public OverlayManager() {
    }

    /** For tests: a manager on fakes, activated. */
    OverlayManager(PluginLookup plugins, DefinitionStore store, DataPath dataPath) throws IOException {
        this.store = store;
        this.dataPath = dataPath;
        start(plugins);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDataPath")
    void bindDataPath(DataPath dp) {
        dataPath = dp;
        if (active) {
            LOG.info("data path available: restoring devices and VNICs");
            reconcileAllLater();
        }
    }

    void unbindDataPath(DataPath dp) {
        if (dataPath != dp) {
            return;
        }
        dataPath = null;
        for (ManagedOverlay m : overlays.values()) {
            m.device = null; // the devices went with it; a new data path gets new ones
        }
        if (active) {
            reconcileAllLater();
        }
    }

    @Activate
    void activate() throws IOException {
        start(catalog);
        catalog.addListener(this);
    }

    private void start(PluginLookup lookup) throws IOException {
        plugins = lookup;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "og-varpd-timer"));
        reconciler = Executors.newSingleThreadExecutor(r -> daemon(r, "og-varpd-reconcile"));
        validator = new OverlayValidator(plugins);
        binder = new PluginBinder(plugins, store, scheduler, this::logReasons);
        for (OverlayDefinition d : store.overlays()) {
            overlays.put(d.name, new ManagedOverlay(d));
            names.add(d.name);
        }
        for (VnicDefinition v : store.vnics()) {
            vnics.put(v.name, v);
            names.add(v.name);
        }
        active = true;
        for (ManagedOverlay m : overlays.values()) {
            reconcile(m);
        }
        dispatcher = new UpcallDispatcher(() -> dataPath, overlays::get, 2);
        dispatcher.start();
        scheduler.scheduleWithFixedDelay(() -> reconciler.execute(this::retryFailures), RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
        LOG.info("varpd started with {} overlays and {} VNICs", overlays.size(), vnics.size());
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
        if (catalog != null) {
            catalog.removeListener(this);
        }
        dispatcher.stop();
        reconciler.shutdown();
        try {
            reconciler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ManagedOverlay m : overlays.values()) {
            synchronized (m) {
                binder.unbindSearch(m, true);
                binder.unbindInvalidation(m);
            }
        }
        scheduler.shutdownNow();
        LOG.info("varpd stopped; devices keep forwarding what they know");
    }

    @Override
    public void pluginsChanged(String kind, String name) {
        if (!active) {
            return;
        }
        later(() -> {
            for (ManagedOverlay m : overlays.values()) {
                OverlayDefinition d = m.definition;
                boolean affected = (PluginInfo.ENCAP.equals(kind) && d.encap.equals(name))
                        || (PluginInfo.SEARCH.equals(kind) && d.search.equals(name))
                        || (PluginInfo.INVALIDATION.equals(kind) && name.equals(d.invalidation));
                if (affected && active) {
                    reconcile(m);
                }
            }
        });
    }

    private void reconcileAllLater() {
        later(() -> {
            for (ManagedOverlay m : overlays.values()) {
                if (active) {
                    reconcile(m);
                }
            }
        });
    }

    /**
     * Runs a reconciliation on the reconciling thread, counted until done: the event that asked for
     * it (a plugin or the data path came or went) is not yet reflected in the overlays' status.
     */
    private void later(Runnable task) {
        queued.incrementAndGet();
        try {
            reconciler.execute(() -> {
                try {
                    task.run();
                } finally {
                    queued.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet(); // deactivated meanwhile
        }
    }

    /**
     * Whether every stored overlay has been reconciled with everything varpd has been told of: the
     * first pass at activation is done and no event waits. Retries every {@value #RETRY_SECONDS} s
     * of what failed for reasons outside varpd's sight do not count: nothing announced them.
     */
    public boolean settled() {
        return active && queued.get() == 0;
    }

    /** How long search plugins took to answer misses, by plugin name. */
    public Map<String, org.overlaygate.api.LatencyHistogram.Snapshot> lookupLatency() {
        UpcallDispatcher d = dispatcher;
        return d == null ? Map.of() : d.lookupLatency();
    }

    /**
     * Tries again what failed for reasons outside varpd's sight (an interface that did not exist,
     * an address not yet configured): events only tell of plugins and the data path.
     */
    private void retryFailures() {
        for (ManagedOverlay m : overlays.values()) {
            if (active && m.needsRetry()) {
                reconcile(m);
            }
        }
    }

    DataPath dataPath() {
        return dataPath;
    }

    /** The overlay of a device, for the upcall threads; no lock. */
    ManagedOverlay overlay(String name) {
        return overlays.get(name);
    }

    // ------------------------------------------------------------------ reconciliation

    /** Brings one overlay as close to its definition as what is present allows. */
    private void reconcile(ManagedOverlay m) {
        synchronized (m) {
            if (overlays.get(m.name()) != m) {
                return; // deleted meanwhile
            }
            DataPath dp = dataPath;
            if (dp != null && m.device == null) {
                m.deviceFailure = null;
                try {
                    Optional<OverlayDevice> existing = dp.device(m.name());
                    OverlayDevice d;
                    if (existing.isPresent()) {
                        d = existing.get();
                        m.adopt(d);
                    } else {
                        d = dp.createDevice(deviceConfig(m.definition));
                        m.applyTo(d);
                    }
                    m.device = d;
                } catch (DataPathException e) {
                    m.deviceFailure = "cannot create the device: " + e.getMessage();
                }
            }
            binder.bindSearch(m);
            binder.bindInvalidation(m);
            if (m.device != null) {
                restoreVnics(m, dp);
            }
            logReasons(m);
        }
    }

    private static DeviceConfig deviceConfig(OverlayDefinition d) {
        return DeviceConfig.builder(d.name, d.vnetId).mtu(d.mtu).mode(d.mode).cacheMax(d.cacheMax).acceptPeersOnly(d.peersOnly)
                .encapsulation(d.encap, d.propertiesOf(d.encap)).build();
    }

    private void restoreVnics(ManagedOverlay m, DataPath dp) {
        m.vnicFailure = null;
        Set<String> present = dp.vnics().stream().map(VnicInfo::name).collect(Collectors.toSet());
        for (VnicDefinition v : vnics.values()) {
            if (v.overlay.equals(m.name()) && !present.contains(v.name)) {
                try {
                    dp.createVnic(v.toConfig());
                } catch (DataPathException e) {
                    m.vnicFailure = "VNIC " + v.name + " cannot be created: " + e.getMessage();
                }
            }
        }
    }

    /** Every reason an overlay is DEGRADED now, computed from the live state. */
    private List<String> reasons(ManagedOverlay m) {
        OverlayDefinition d = m.definition;
        return m.collectReasons(dataPath != null, plugins.encap(d.encap).isPresent(), plugins.search(d.search).isPresent(),
                d.invalidation == null || plugins.invalidation(d.invalidation).isPresent());
    }

    /** Logs an overlay's status when it changed. */
    private void logReasons(ManagedOverlay m) {
        List<String> now = reasons(m);
        List<String> before = m.reasons;
        m.reasons = now;
        if (!now.equals(before)) {
            LOG.info("overlay {} is {}{}", m.name(), now.isEmpty() ? "ONLINE" : "DEGRADED", now.isEmpty() ? "" : ": " + String.join("; ", now));
        }
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
        OverlayValidator.Checked checked = validator.check(
                new OverlayValidator.Request(name, encapName, searchName, invalidationName, vnetId, mtu, cacheMax, accept, properties));
        if (!names.add(name)) {
            throw new IllegalArgumentException("the name " + name + " is already in use");
        }
        try {
            return view(createChecked(checked.definition)); // the data path refuses a vnet id taken on the same socket
        } catch (RuntimeException e) {
            names.remove(name);
            throw e;
        }
    }

    private ManagedOverlay createChecked(OverlayDefinition def) {
        DataPath dp = dataPath;
        if (dp == null) {
            throw new IllegalStateException("the data path (overlay-core) is not running");
        }
        ManagedOverlay m = new ManagedOverlay(def);
        synchronized (m) {
            try {
                m.device = dp.createDevice(deviceConfig(def));
            } catch (DataPathException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            binder.bindSearch(m);
            binder.bindInvalidation(m);
            String failure = m.searchFailure != null ? m.searchFailure : m.invalidationFailure;
            if (failure == null && m.searchInstance == null) {
                failure = "search plugin " + def.search + " went away";
            }
            if (failure == null && def.invalidation != null && m.invalidationInstance == null) {
                failure = "invalidation plugin " + def.invalidation + " went away";
            }
            if (failure != null) {
                undoCreate(m, dp);
                throw new IllegalArgumentException(failure);
            }
            try {
                store.save(def);
            } catch (IOException | RuntimeException e) {
                undoCreate(m, dp);
                throw new IllegalStateException("cannot store overlay " + def.name + ": " + e.getMessage());
            }
            overlays.put(def.name, m);
            logReasons(m);
        }
        return m;
    }

    private void undoCreate(ManagedOverlay m, DataPath dp) {
        binder.unbindSearch(m, false);
        binder.unbindInvalidation(m);
        try {
            dp.destroyDevice(m.name());
        } catch (DataPathException e) {
            LOG.warn("undoing overlay {}: {}", m.name(), e.getMessage());
        }
    }

    /** Deletes an overlay; refused while VNICs are defined on it. */
    public void delete(String name) {
        ManagedOverlay m = require(name);
        synchronized (m) {
            List<String> onIt = vnics.values().stream().filter(v -> v.overlay.equals(name)).map(v -> v.name).sorted()
                    .collect(Collectors.toList());
            if (!onIt.isEmpty()) {
                throw new IllegalStateException("overlay " + name + " has VNICs: " + String.join(", ", onIt) + " (delete them first)");
            }
            try {
                store.deleteOverlay(name);
            } catch (IOException e) {
                throw new IllegalStateException("cannot delete the stored overlay " + name + ": " + e.getMessage());
            }
            overlays.remove(name);
            binder.unbindSearch(m, false);
            binder.unbindInvalidation(m);
            DataPath dp = dataPath;
            if (dp != null && m.device != null) {
                try {
                    dp.destroyDevice(name);
                } catch (DataPathException e) {
                    LOG.warn("deleting overlay {}: {}", name, e.getMessage());
                }
            }
            m.device = null;
        }
        names.remove(name);
    }

    public VnicInfo createVnic(String name, String overlay, VnicConfig.Kind kind, String osName, long mac) {
        ManagedOverlay m = require(overlay);
        if (!names.add(name)) {
            throw new IllegalArgumentException("the name " + name + " is already in use");
        }
        try {
            synchronized (m) {
                DataPath dp = dataPath;
                if (dp == null || m.device == null || overlays.get(overlay) != m) {
                    throw new IllegalStateException("overlay " + overlay + " has no device now: " + String.join("; ", reasons(m)));
                }
                VnicInfo info;
                try {
                    info = dp.createVnic(new VnicConfig(name, overlay, kind, osName, mac));
                } catch (DataPathException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
                VnicDefinition def = new VnicDefinition(name, overlay, kind, info.osName(), info.mac());
                try {
                    store.save(def);
                } catch (IOException | RuntimeException e) {
                    try {
                        dp.deleteVnic(name);
                    } catch (DataPathException ignored) {
                        // undoing as far as possible
                    }
                    throw new IllegalStateException("cannot store VNIC " + name + ": " + e.getMessage());
                }
                vnics.put(name, def);
                return info;
            }
        } catch (RuntimeException e) {
            names.remove(name);
            throw e;
        }
    }

    public void deleteVnic(String name) {
        VnicDefinition v = vnics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no VNIC " + name);
        }
        ManagedOverlay m = overlays.get(v.overlay);
        Object lock = m != null ? m : v;
        synchronized (lock) {
            try {
                store.deleteVnic(name);
            } catch (IOException e) {
                throw new IllegalStateException("cannot delete the stored VNIC " + name + ": " + e.getMessage());
            }
            vnics.remove(name);
            DataPath dp = dataPath;
            if (dp != null) {
                try {
                    dp.deleteVnic(name);
                } catch (DataPathException e) {
                    LOG.info("VNIC {} was not in the data path: {}", name, e.getMessage());
                }
            }
        }
        names.remove(name);
    }

    /** Every overlay, sorted by name. */
    public List<OverlayView> list() {
        return overlays.values().stream().sorted(Comparator.comparing(ManagedOverlay::name)).map(this::view).collect(Collectors.toList());
    }

    public OverlayView get(String name) {
        return view(require(name));
    }

    /** Every VNIC definition with what the data path says of it, sorted by name. */
    public List<VnicView> vnicViews() {
        DataPath dp = dataPath;
        Map<String, VnicInfo> present = new TreeMap<>();
        if (dp != null) {
            dp.vnics().forEach(i -> present.put(i.name(), i));
        }
        List<VnicView> out = new ArrayList<>();
        for (VnicDefinition v : new TreeMap<>(vnics).values()) {
            out.add(new VnicView(v.name, v.overlay, v.kind, v.osName, v.mac, present.get(v.name)));
        }
        return out;
    }

    /** The device of an overlay, for cache operations, statistics and snooping. */
    public OverlayDevice device(String name) {
        ManagedOverlay m = require(name);
        OverlayDevice d = m.device;
        if (d == null) {
            throw new IllegalStateException("overlay " + name + " has no device now: " + String.join("; ", reasons(m)));
        }
        return d;
    }

    public DataPath requireDataPath() {
        DataPath dp = dataPath;
        if (dp == null) {
            throw new IllegalStateException("the data path (overlay-core) is not running");
        }
        return dp;
    }

    /** The property specs of an overlay's plugins, for {@code overlay:show}; empty for absent plugins. */
    public List<PropertySpec> propertySpecs(String name) {
        OverlayDefinition d = require(name).definition;
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

    private ManagedOverlay require(String name) {
        ManagedOverlay m = overlays.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no overlay " + name);
        }
        return m;
    }

    private OverlayView view(ManagedOverlay m) {
        return new OverlayView(m.definition, reasons(m), m.device, m.policy(), searchStats(m));
    }

    /** The search instance's counters, sorted by name; empty without an instance or when it fails to say. */
    private static Map<String, Long> searchStats(ManagedOverlay m) {
        SearchInstance instance = m.searchInstance;
        if (instance == null) {
            return Map.of();
        }
        try {
            return java.util.Collections.unmodifiableMap(new TreeMap<>(instance.stats()));
        } catch (RuntimeException | LinkageError e) {
            return Map.of(); // a plugin being replaced: its counters are not worth an error on the shell
        }
    }
}
