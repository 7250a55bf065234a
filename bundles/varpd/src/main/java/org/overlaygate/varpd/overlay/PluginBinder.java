package org.overlaygate.varpd.overlay;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.invalidation.InvalidationInstance;
import org.overlaygate.api.invalidation.InvalidationPlugin;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.api.search.SearchPlugin;
import org.overlaygate.varpd.plugins.PluginLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds an overlay's search and invalidation instances to the best plugin services of their names,
 * and unbinds them when the services go or are replaced: create, restore saved state, start; save
 * state, stop, destroy. Called with the overlay's monitor held and no other; plugin code runs here,
 * so it may be slow or fail without holding up anything but that overlay. What an instance asked of
 * the device stays there when it is unbound, so known traffic keeps flowing while a plugin is away.
 */
final class PluginBinder {
    private static final Logger LOG = LoggerFactory.getLogger(PluginBinder.class);

    private final PluginLookup plugins;
    private final DefinitionStore store;
    private final ScheduledExecutorService scheduler;
    private final Consumer<ManagedOverlay> reasonsChanged;

    PluginBinder(PluginLookup plugins, DefinitionStore store, ScheduledExecutorService scheduler, Consumer<ManagedOverlay> reasonsChanged) {
        this.plugins = plugins;
        this.store = store;
        this.scheduler = scheduler;
        this.reasonsChanged = reasonsChanged;
    }

    /** Brings the search instance to the best present plugin; records where it stands in {@code m.searchPart}. */
    void bindSearch(ManagedOverlay m) {
        OverlayDefinition d = m.definition;
        SearchPlugin p = plugins.search(d.search).orElse(null);
        if (p != null && p == m.searchPlugin) {
            if (d.mode == SearchMode.POINT && m.device != null && m.device.pointDestination() == null) {
                m.device.setPointDestination(m.searchInstance.pointDestination());
            }
            return;
        }
        unbindSearch(m, true);
        d = m.definition; // with the state the old instance saved
        if (p == null) {
            return; // the device keeps what it has: known traffic flows on
        }
        if (p.mode() != d.mode) {
            m.searchPart = PartState.failed("search plugin " + p.name() + " is now " + p.mode() + " but the overlay was created " + d.mode);
            return;
        }
        VarpdSearchContext ctx = new VarpdSearchContext(m, scheduler, () -> reasonsChanged.accept(m));
        SearchInstance instance = null;
        try {
            PropertyValues values = PropertyValues.validate(searchSpecs(p, d), d.propertiesOf(p.name()));
            m.searchPart = PartState.STARTING;
            instance = p.create(ctx, values);
            instance.restoreState(d.searchState);
            instance.start();
            TargetPolicy policy = instance.targetPolicy();
            boolean proxies = instance.proxiesAddresses();
            m.want(s -> s.withTargetPolicy(policy).withAddressProxy(proxies));
            m.searchPlugin = p;
            m.searchContext = ctx;
            m.searchInstance = instance;
            if (m.searchPart.kind == PartState.Kind.STARTING) {
                m.searchPart = PartState.ACTIVE; // unless it reported trouble while starting
            }
            OverlayDevice device = m.device;
            if (d.mode == SearchMode.POINT) {
                requireSameFamily(instance.pointDestination(), device == null ? null : device.listenAddress(), p.name());
            }
            if (device != null) {
                device.setTargetPolicy(policy);
                device.setAddressProxy(proxies);
                if (d.mode == SearchMode.POINT) {
                    device.setPointDestination(instance.pointDestination());
                }
            }
            LOG.info("overlay {}: search plugin {} bound ({})", d.name, p.name(), policy);
        } catch (Exception | LinkageError e) {
            ctx.invalidateContext();
            stopQuietly(d.name, instance);
            m.searchPart = PartState.failed("search plugin " + p.name() + " failed: " + e.getMessage());
        }
    }

    /** An IPv4 underlay socket cannot reach an IPv6 destination, nor the other way round: refuse that at once. */
    private static void requireSameFamily(org.overlaygate.api.UnderlayAddress destination, org.overlaygate.api.UnderlayAddress listen,
            String plugin) {
        if (destination != null && listen != null && destination.isIpv4() != listen.isIpv4()) {
            throw new IllegalArgumentException(plugin + "'s destination " + destination + " is " + (destination.isIpv4() ? "IPv4" : "IPv6")
                    + " but the overlay listens on " + listen + ": both must be of one IP version");
        }
    }

    /** The search plugin's properties for the overlay's kind of underlay. */
    private List<PropertySpec> searchSpecs(SearchPlugin p, OverlayDefinition d) {
        if (d.transport != null) {
            UnderlayTransport t = d.transport == UnderlayTransport.Kind.UDP ? UnderlayTransport.udp(1, "_", "_")
                    : UnderlayTransport.ipProtocol(1, "_");
            return p.properties(t);
        }
        return plugins.encap(d.encap).map(EncapsulationPlugin::transport).map(p::properties).orElseGet(p::properties);
    }

    /** Stops the search instance (its plugin is leaving or being replaced), saving its state when asked. */
    void unbindSearch(ManagedOverlay m, boolean saveState) {
        SearchInstance instance = m.searchInstance;
        m.searchPart = PartState.UNSATISFIED;
        m.searchInstance = null;
        m.searchPlugin = null;
        if (m.searchContext != null) {
            m.searchContext.invalidateContext();
            m.searchContext = null;
        }
        if (instance == null) {
            return;
        }
        if (saveState) {
            try {
                Map<String, String> state = instance.saveState();
                if (!state.equals(m.definition.searchState)) {
                    m.definition = m.definition.withSearchState(state);
                    store.save(m.definition);
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.warn("overlay {}: could not save search state: {}", m.name(), e.toString());
            }
        }
        stopQuietly(m.name(), instance);
    }

    private static void stopQuietly(String overlay, SearchInstance instance) {
        if (instance == null) {
            return;
        }
        try {
            instance.stop();
            instance.destroy();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("overlay {}: search instance failed to stop: {}", overlay, e.toString());
        }
    }

    /** Brings the invalidation instance, if the overlay names one, to the best present plugin. */
    void bindInvalidation(ManagedOverlay m) {
        OverlayDefinition d = m.definition;
        if (d.invalidation == null) {
            return;
        }
        InvalidationPlugin p = plugins.invalidation(d.invalidation).orElse(null);
        if (p != null && p == m.invalidationPlugin) {
            return;
        }
        unbindInvalidation(m);
        if (p == null) {
            return;
        }
        VarpdInvalidationContext ctx = new VarpdInvalidationContext(m, scheduler, () -> reasonsChanged.accept(m));
        InvalidationInstance instance = null;
        try {
            PropertyValues values = PropertyValues.validate(p.properties(), d.propertiesOf(p.name()));
            m.invalidationPart = PartState.STARTING;
            instance = p.create(ctx, values);
            instance.start();
            m.invalidationPlugin = p;
            m.invalidationContext = ctx;
            m.invalidationInstance = instance;
            if (m.invalidationPart.kind == PartState.Kind.STARTING) {
                m.invalidationPart = PartState.ACTIVE;
            }
            LOG.info("overlay {}: invalidation plugin {} bound", d.name, p.name());
        } catch (Exception | LinkageError e) {
            ctx.invalidateContext();
            stopQuietly(d.name, instance);
            m.invalidationPart = PartState.failed("invalidation plugin " + p.name() + " failed: " + e.getMessage());
        }
    }

    void unbindInvalidation(ManagedOverlay m) {
        InvalidationInstance instance = m.invalidationInstance;
        if (m.definition.invalidation != null) {
            m.invalidationPart = PartState.UNSATISFIED;
        }
        m.invalidationInstance = null;
        m.invalidationPlugin = null;
        if (m.invalidationContext != null) {
            m.invalidationContext.invalidateContext();
            m.invalidationContext = null;
        }
        stopQuietly(m.name(), instance);
    }

    private static void stopQuietly(String overlay, InvalidationInstance instance) {
        if (instance == null) {
            return;
        }
        try {
            instance.stop();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("overlay {}: invalidation instance failed to stop: {}", overlay, e.toString());
        }
    }
}
