package org.overlaygate.varpd.overlay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.SearchPlugin;
import org.overlaygate.varpd.plugins.PluginCatalog;
import org.overlaygate.varpd.plugins.PluginInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every defined overlay and VNIC alive: creates them from their stored definitions, binds
 * each overlay to its encapsulation and search plugins, and re-binds whenever a plugin or the data
 * path comes, goes or is replaced. An overlay that lacks something it needs is DEGRADED with the
 * reason and heals by itself when the thing appears.
 *
 * <p>All changes happen under this object's monitor; the miss path reads the search instance
 * through a volatile field and never takes it.
 */
@Component(service = OverlayManager.class, immediate = true)
public final class OverlayManager implements PluginCatalog.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayManager.class);
    public static final int MTU_MIN = 576;
    public static final int MTU_MAX = 8900;

    @Reference
    private PluginCatalog catalog;
    @Reference
    private DefinitionStore store;
    private volatile DataPath dataPath;

    private final Map<String, ManagedOverlay> overlays = new LinkedHashMap<>();
    private final Map<String, VnicDefinition> vnics = new LinkedHashMap<>();
    private ScheduledExecutorService scheduler;
    private LookupDispatcher dispatcher;
    private boolean active;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDataPath")
    void bindDataPath(DataPath dp) {
        synchronized (this) {
            dataPath = dp;
            if (active) {
                LOG.info("data path available: restoring devices and VNICs");
                reconcileAll();
            }
        }
    }

    void unbindDataPath(DataPath dp) {
        synchronized (this) {
            if (dataPath != dp) {
                return;
            }
            dataPath = null;
            for (ManagedOverlay m : overlays.values()) {
                m.device = null;
                m.encapPlugin = null;
            }
            if (active) {
                reconcileAll();
            }
        }
    }

    @Activate
    synchronized void activate() throws IOException {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "og-varpd-timer");
            t.setDaemon(true);
            return t;
        });
        for (OverlayDefinition d : store.overlays()) {
            overlays.put(d.name, new ManagedOverlay(d));
        }
        for (VnicDefinition v : store.vnics()) {
            vnics.put(v.name, v);
        }
        active = true;
        catalog.addListener(this);
        reconcileAll();
        dispatcher = new LookupDispatcher(this, 2);
        dispatcher.start();
        LOG.info("varpd started with {} overlays and {} VNICs", overlays.size(), vnics.size());
    }

    /**
     * Stops the search instances and saves their state. Devices and VNICs stay in the data path:
     * cached traffic keeps flowing while varpd is away, and a new varpd adopts them.
     */
    @Deactivate
    synchronized void deactivate() {
        active = false;
        catalog.removeListener(this);
        dispatcher.stop();
        for (ManagedOverlay m : overlays.values()) {
            unbindSearch(m, true);
        }
        scheduler.shutdownNow();
        LOG.info("varpd stopped; devices keep forwarding what they know");
    }

    @Override
    public void pluginsChanged(String kind, String name) {
        synchronized (this) {
            if (!active) {
                return;
            }
            for (ManagedOverlay m : overlays.values()) {
                boolean affected = (PluginInfo.ENCAP.equals(kind) && m.definition.encap.equals(name))
                        || (PluginInfo.SEARCH.equals(kind) && m.definition.search.equals(name));
                if (affected) {
                    reconcile(m);
                }
            }
        }
    }

    DataPath dataPath() {
        return dataPath;
    }

    /** The search instance answering misses of a device, or null (the core will ask again). */
    SearchInstance searchInstanceFor(String deviceName) {
        ManagedOverlay m;
        synchronized (this) {
            m = overlays.get(deviceName);
        }
        return m == null ? null : m.searchInstance;
    }

    synchronized void pluginReported(ManagedOverlay m, String reason) {
        m.pluginReason = reason;
        updateReasons(m);
    }

    // ------------------------------------------------------------------ reconciliation

    private void reconcileAll() {
        for (ManagedOverlay m : overlays.values()) {
            reconcile(m);
        }
    }

    /** Brings one overlay as close to its definition as what is present allows. */
    private void reconcile(ManagedOverlay m) {
        OverlayDefinition d = m.definition;
        m.bindFailure = null;
        DataPath dp = dataPath;
        if (dp != null && m.device == null) {
            try {
                Optional<OverlayDevice> existing = dp.device(d.name);
                m.device = existing.isPresent() ? existing.get() : dp.createDevice(deviceConfig(d));
            } catch (DataPathException e) {
                m.bindFailure = "cannot create the device: " + e.getMessage();
            }
        }
        bindEncap(m);
        bindSearch(m);
        if (m.device != null) {
            restoreVnics(m, dp);
        }
        if (m.bindFailure != null) {
            LOG.warn("overlay {}: {}", d.name, m.bindFailure);
        }
        updateReasons(m);
    }

    private static DeviceConfig deviceConfig(OverlayDefinition d) {
        return DeviceConfig.builder(d.name, d.vnetId).mtu(d.mtu).mode(d.mode).cacheMax(d.cacheMax).build();
    }

    private void bindEncap(ManagedOverlay m) {
        Optional<EncapsulationPlugin> plugin = catalog.encap(m.definition.encap);
        if (plugin.isEmpty() || m.device == null || plugin.get() == m.encapPlugin) {
            return; // absent: the device keeps the encapsulator it has, so known traffic flows on
        }
        EncapsulationPlugin p = plugin.get();
        try {
            PropertyValues values = PropertyValues.validate(p.properties(), namespaced(m.definition.properties, p.name()));
            Encapsulator encapsulator = p.newEncapsulator(values);
            m.device.setEncapsulation(p, encapsulator, listenAddress(p, values));
            m.encapPlugin = p;
        } catch (PropertyException | DataPathException | RuntimeException e) {
            m.bindFailure = "encapsulation " + p.name() + " refused the overlay: " + e.getMessage();
        }
    }

    private void bindSearch(ManagedOverlay m) {
        Optional<SearchPlugin> plugin = catalog.search(m.definition.search);
        if (plugin.isPresent() && plugin.get() == m.searchPlugin) {
            if (m.definition.mode == SearchMode.POINT && m.device != null && m.device.pointDestination() == null) {
                m.device.setPointDestination(m.searchInstance.pointDestination());
            }
            return;
        }
        unbindSearch(m, true);
        if (plugin.isEmpty()) {
            return; // a point-mode device keeps its destination: cached traffic flows on
        }
        SearchPlugin p = plugin.get();
        if (p.mode() != m.definition.mode) {
            m.bindFailure = "search plugin " + p.name() + " is now " + p.mode() + " but the overlay was created " + m.definition.mode;
            return;
        }
        VarpdSearchContext ctx = new VarpdSearchContext(this, m, scheduler);
        try {
            UnderlayTransport transport = catalog.encap(m.definition.encap).map(EncapsulationPlugin::transport).orElse(null);
            List<PropertySpec> specs = transport == null ? p.properties() : p.properties(transport);
            PropertyValues values = PropertyValues.validate(specs, namespaced(m.definition.properties, p.name()));
            SearchInstance instance = p.create(ctx, values);
            instance.restoreState(m.definition.searchState);
            instance.start();
            m.searchPlugin = p;
            m.context = ctx;
            m.pluginReason = null;
            m.searchInstance = instance;
            if (m.definition.mode == SearchMode.POINT && m.device != null) {
                m.device.setPointDestination(instance.pointDestination());
            }
            LOG.info("overlay {}: search plugin {} bound", m.definition.name, p.name());
        } catch (Exception e) {
            ctx.invalidateContext();
            m.bindFailure = "search plugin " + p.name() + " failed: " + e.getMessage();
        }
    }

    /** Stops the search instance (its plugin is leaving or being replaced), saving its state. */
    private void unbindSearch(ManagedOverlay m, boolean saveState) {
        SearchInstance instance = m.searchInstance;
        m.searchInstance = null;
        m.searchPlugin = null;
        if (m.context != null) {
            m.context.invalidateContext();
            m.context = null;
        }
        if (instance == null) {
            return;
        }
        try {
            if (saveState) {
                Map<String, String> state = instance.saveState();
                if (!state.equals(m.definition.searchState)) {
                    m.definition = m.definition.withSearchState(state);
                    store.save(m.definition);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("overlay {}: could not save search state: {}", m.definition.name, e.toString());
        }
        try {
            instance.stop();
            instance.destroy();
        } catch (RuntimeException e) {
            LOG.warn("overlay {}: search instance failed to stop: {}", m.definition.name, e.toString());
        }
    }

    private void restoreVnics(ManagedOverlay m, DataPath dp) {
        if (dp == null) {
            return;
        }
        List<String> present = dp.vnics().stream().map(VnicInfo::name).collect(Collectors.toList());
        for (VnicDefinition v : vnics.values()) {
            if (v.overlay.equals(m.definition.name) && !present.contains(v.name)) {
                try {
                    dp.createVnic(v.toConfig());
                } catch (DataPathException e) {
                    m.bindFailure = "VNIC " + v.name + " cannot be created: " + e.getMessage();
                }
            }
        }
    }

    private void updateReasons(ManagedOverlay m) {
        List<String> reasons = new ArrayList<>();
        if (dataPath == null) {
            reasons.add("the data path (overlay-core) is not running");
        }
        if (catalog.encap(m.definition.encap).isEmpty()) {
            reasons.add("encapsulation plugin " + m.definition.encap + " is not installed"
                    + (m.encapPlugin != null || (m.device != null && m.device.encapsulationName() != null)
                            ? " (forwarding with the instance it had)" : ""));
        }
        if (catalog.search(m.definition.search).isEmpty()) {
            reasons.add("search plugin " + m.definition.search + " is not installed");
        }
        if (m.bindFailure != null) {
            reasons.add(m.bindFailure);
        }
        if (m.pluginReason != null) {
            reasons.add(m.pluginReason);
        }
        boolean was = m.online();
        m.reasons = List.copyOf(reasons);
        if (was != m.online() || !reasons.isEmpty()) {
            LOG.info("overlay {} is {}{}", m.definition.name, m.online() ? "ONLINE" : "DEGRADED",
                    reasons.isEmpty() ? "" : ": " + String.join("; ", reasons));
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
    public synchronized OverlayView create(String name, String encapName, String searchName, long vnetId, Integer mtu, Integer cacheMax,
            Map<String, String> properties) {
        if (overlays.containsKey(name) || vnics.containsKey(name)) {
            throw new IllegalArgumentException("the name " + name + " is already in use");
        }
        EncapsulationPlugin encap = catalog.encap(encapName).orElseThrow(() -> new IllegalArgumentException(
                "unknown encapsulation plugin '" + encapName + "' (installed: " + installed(PluginInfo.ENCAP) + ")"));
        SearchPlugin search = catalog.search(searchName).orElseThrow(() -> new IllegalArgumentException(
                "unknown search plugin '" + searchName + "' (installed: " + installed(PluginInfo.SEARCH) + ")"));
        for (String key : properties.keySet()) {
            String ns = PluginConstants.namespaceOf(key);
            if (ns == null || (!ns.equals(encap.name()) && !ns.equals(search.name()))) {
                throw new IllegalArgumentException("property " + key + " belongs to neither " + encap.name() + " nor " + search.name());
            }
        }
        List<PropertySpec> searchSpecs = search.properties(encap.transport());
        List<String> missing = new ArrayList<>();
        for (List<PropertySpec> specs : List.of(encap.properties(), searchSpecs)) {
            for (PropertySpec s : specs) {
                if (s.required() && s.defaultValue() == null && !properties.containsKey(s.name())) {
                    missing.add(s.name());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing required propert" + (missing.size() == 1 ? "y: " : "ies: ") + String.join(", ", missing));
        }
        PropertyValues encapValues;
        try {
            encapValues = PropertyValues.validate(encap.properties(), namespaced(properties, encap.name()));
            PropertyValues.validate(searchSpecs, namespaced(properties, search.name()));
        } catch (PropertyException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        String vnetProblem = encap.checkVnetId(vnetId);
        if (vnetProblem != null) {
            throw new IllegalArgumentException(vnetProblem);
        }
        int effectiveMtu = mtu == null ? encap.defaultMtu() : mtu;
        if (effectiveMtu < MTU_MIN || effectiveMtu > MTU_MAX) {
            throw new IllegalArgumentException("mtu " + effectiveMtu + " is out of range " + MTU_MIN + "-" + MTU_MAX);
        }
        UnderlayAddress listen = listenAddress(encap, encapValues);
        for (ManagedOverlay other : overlays.values()) {
            OverlayDefinition o = other.definition;
            if (o.encap.equals(encap.name()) && o.vnetId == vnetId && listenOf(o).equals(listen.toString())) {
                throw new IllegalArgumentException("vnet id " + vnetId + " is already used by overlay " + o.name + " on " + encap.name()
                        + " " + listen);
            }
        }
        DataPath dp = dataPath;
        if (dp == null) {
            throw new IllegalStateException("the data path (overlay-core) is not running");
        }
        OverlayDefinition def = new OverlayDefinition(name, encap.name(), search.name(), search.mode(), vnetId, effectiveMtu,
                cacheMax == null ? DeviceConfig.DEFAULT_CACHE_MAX : cacheMax, properties, Map.of());
        ManagedOverlay m = new ManagedOverlay(def);
        try {
            m.device = dp.createDevice(deviceConfig(def));
        } catch (DataPathException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        bindEncap(m);
        bindSearch(m);
        if (m.bindFailure != null || m.encapPlugin == null || m.searchInstance == null) {
            String why = m.bindFailure != null ? m.bindFailure : "plugins could not be bound";
            undoCreate(m, dp);
            throw new IllegalArgumentException(why);
        }
        try {
            store.save(def);
        } catch (IOException | RuntimeException e) {
            undoCreate(m, dp);
            throw new IllegalStateException("cannot store overlay " + name + ": " + e.getMessage());
        }
        overlays.put(name, m);
        updateReasons(m);
        return view(m);
    }

    private void undoCreate(ManagedOverlay m, DataPath dp) {
        unbindSearch(m, false);
        try {
            dp.destroyDevice(m.definition.name);
        } catch (DataPathException e) {
            LOG.warn("undoing overlay {}: {}", m.definition.name, e.getMessage());
        }
    }

    /** Deletes an overlay; refused while VNICs are defined on it. */
    public synchronized void delete(String name) {
        ManagedOverlay m = require(name);
        List<String> onIt = vnics.values().stream().filter(v -> v.overlay.equals(name)).map(v -> v.name).collect(Collectors.toList());
        if (!onIt.isEmpty()) {
            throw new IllegalStateException("overlay " + name + " has VNICs: " + String.join(", ", onIt) + " (delete them first)");
        }
        try {
            store.deleteOverlay(name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete the stored overlay " + name + ": " + e.getMessage());
        }
        overlays.remove(name);
        unbindSearch(m, false);
        DataPath dp = dataPath;
        if (dp != null && m.device != null) {
            try {
                dp.destroyDevice(name);
            } catch (DataPathException e) {
                LOG.warn("deleting overlay {}: {}", name, e.getMessage());
            }
        }
    }

    public synchronized VnicInfo createVnic(String name, String overlay, VnicConfig.Kind kind, String osName, long mac) {
        if (vnics.containsKey(name) || overlays.containsKey(name)) {
            throw new IllegalArgumentException("the name " + name + " is already in use");
        }
        ManagedOverlay m = require(overlay);
        DataPath dp = dataPath;
        if (dp == null || m.device == null) {
            throw new IllegalStateException("overlay " + overlay + " has no device now: " + String.join("; ", m.reasons));
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

    public synchronized void deleteVnic(String name) {
        if (!vnics.containsKey(name)) {
            throw new IllegalArgumentException("no VNIC " + name);
        }
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

    /** Every overlay, in creation order. */
    public synchronized List<OverlayView> list() {
        return overlays.values().stream().map(this::view).collect(Collectors.toList());
    }

    public synchronized OverlayView get(String name) {
        return view(require(name));
    }

    /** Every VNIC definition with what the data path says of it. */
    public synchronized List<VnicView> vnicViews() {
        DataPath dp = dataPath;
        Map<String, VnicInfo> present = new TreeMap<>();
        if (dp != null) {
            dp.vnics().forEach(i -> present.put(i.name(), i));
        }
        List<VnicView> out = new ArrayList<>();
        for (VnicDefinition v : vnics.values()) {
            out.add(new VnicView(v.name, v.overlay, v.kind, v.osName, v.mac, present.get(v.name)));
        }
        return out;
    }

    /** The device of an overlay, for cache operations, statistics and snooping. */
    public synchronized OverlayDevice device(String name) {
        ManagedOverlay m = require(name);
        if (m.device == null) {
            throw new IllegalStateException("overlay " + name + " has no device now: " + String.join("; ", m.reasons));
        }
        return m.device;
    }

    public DataPath requireDataPath() {
        DataPath dp = dataPath;
        if (dp == null) {
            throw new IllegalStateException("the data path (overlay-core) is not running");
        }
        return dp;
    }

    /** The property specs of an overlay's plugins, for {@code overlay:show}; empty for absent plugins. */
    public synchronized List<PropertySpec> propertySpecs(String name) {
        ManagedOverlay m = require(name);
        List<PropertySpec> out = new ArrayList<>();
        Optional<EncapsulationPlugin> encap = catalog.encap(m.definition.encap);
        encap.ifPresent(e -> out.addAll(e.properties()));
        catalog.search(m.definition.search).ifPresent(s -> out.addAll(encap.isPresent() ? s.properties(encap.get().transport()) : s.properties()));
        return out;
    }

    /** The vnet id range of an encapsulation, or null when it is not installed. */
    public String vnetRange(String encap) {
        return catalog.encap(encap).map(e -> e.minVnetId() + "-" + e.maxVnetId()).orElse(null);
    }

    private ManagedOverlay require(String name) {
        ManagedOverlay m = overlays.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no overlay " + name);
        }
        return m;
    }

    private String installed(String kind) {
        String names = catalog.list().stream().filter(i -> i.kind.equals(kind)).map(i -> i.name).distinct().collect(Collectors.joining(", "));
        return names.isEmpty() ? "none" : names;
    }

    private OverlayView view(ManagedOverlay m) {
        return new OverlayView(m.definition, m.online(), m.reasons, m.device);
    }

    /** The properties of one plugin's namespace. */
    static Map<String, String> namespaced(Map<String, String> all, String plugin) {
        Map<String, String> out = new TreeMap<>();
        all.forEach((k, v) -> {
            if (plugin.equals(PluginConstants.namespaceOf(k))) {
                out.put(k, v);
            }
        });
        return out;
    }

    static UnderlayAddress listenAddress(EncapsulationPlugin p, PropertyValues values) {
        UnderlayTransport t = p.transport();
        int port = t.kind() == UnderlayTransport.Kind.UDP ? values.getInt(t.listenPortProperty()) : 0;
        return UnderlayAddress.of(values.getAddress(t.listenAddressProperty()), port);
    }

    /** The listen address of a definition as text, from its stored properties; for duplicate checks. */
    private String listenOf(OverlayDefinition d) {
        Optional<EncapsulationPlugin> p = catalog.encap(d.encap);
        if (p.isEmpty()) {
            return d.properties.toString();
        }
        try {
            return listenAddress(p.get(), PropertyValues.validate(p.get().properties(), namespaced(d.properties, d.encap))).toString();
        } catch (PropertyException | RuntimeException e) {
            return d.properties.toString();
        }
    }

    static String mac(long mac) {
        return MacAddress.format(mac);
    }
}
