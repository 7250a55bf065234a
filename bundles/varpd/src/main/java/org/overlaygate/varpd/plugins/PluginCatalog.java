package org.overlaygate.varpd.plugins;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.invalidation.InvalidationPlugin;
import org.overlaygate.api.search.SearchPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins present right now, by kind and name. When two services share a kind and name (a
 * plugin being replaced), the one with the highest service ranking, then the newest, wins.
 */
@Component(service = PluginCatalog.class)
public final class PluginCatalog implements PluginLookup {
    private static final Logger LOG = LoggerFactory.getLogger(PluginCatalog.class);

    /** Told when a plugin of some kind and name appears or disappears. */
    public interface Listener {
        void pluginsChanged(String kind, String name);
    }

    private final Map<ServiceReference<?>, EncapsulationPlugin> encaps = new ConcurrentHashMap<>();
    private final Map<ServiceReference<?>, SearchPlugin> searches = new ConcurrentHashMap<>();
    private final Map<ServiceReference<?>, InvalidationPlugin> invalidations = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeEncap")
    void addEncap(ServiceReference<EncapsulationPlugin> ref, EncapsulationPlugin plugin) {
        encaps.put(ref, plugin);
        changed(PluginInfo.ENCAP, plugin.name(), ref, true);
    }

    void removeEncap(ServiceReference<EncapsulationPlugin> ref, EncapsulationPlugin plugin) {
        encaps.remove(ref);
        changed(PluginInfo.ENCAP, plugin.name(), ref, false);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeSearch")
    void addSearch(ServiceReference<SearchPlugin> ref, SearchPlugin plugin) {
        searches.put(ref, plugin);
        changed(PluginInfo.SEARCH, plugin.name(), ref, true);
    }

    void removeSearch(ServiceReference<SearchPlugin> ref, SearchPlugin plugin) {
        searches.remove(ref);
        changed(PluginInfo.SEARCH, plugin.name(), ref, false);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeInvalidation")
    void addInvalidation(ServiceReference<InvalidationPlugin> ref, InvalidationPlugin plugin) {
        invalidations.put(ref, plugin);
        changed(PluginInfo.INVALIDATION, plugin.name(), ref, true);
    }

    void removeInvalidation(ServiceReference<InvalidationPlugin> ref, InvalidationPlugin plugin) {
        invalidations.remove(ref);
        changed(PluginInfo.INVALIDATION, plugin.name(), ref, false);
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public Optional<EncapsulationPlugin> encap(String name) {
        return best(encaps, name, EncapsulationPlugin::name);
    }

    @Override
    public Optional<SearchPlugin> search(String name) {
        return best(searches, name, SearchPlugin::name);
    }

    @Override
    public Optional<InvalidationPlugin> invalidation(String name) {
        return best(invalidations, name, InvalidationPlugin::name);
    }

    @Override
    public List<String> names(String kind) {
        return list().stream().filter(i -> i.kind.equals(kind)).map(i -> i.name).distinct().sorted().collect(java.util.stream.Collectors.toList());
    }

    /** Every plugin service, sorted by kind then name. */
    public List<PluginInfo> list() {
        List<PluginInfo> out = new ArrayList<>();
        encaps.forEach((ref, p) -> out.add(info(PluginInfo.ENCAP, p.name(), p.transport().toString(), ref, p.properties())));
        searches.forEach((ref, p) -> out.add(info(PluginInfo.SEARCH, p.name(), p.mode().name().toLowerCase(java.util.Locale.ROOT), ref,
                p.properties())));
        invalidations.forEach((ref, p) -> out.add(info(PluginInfo.INVALIDATION, p.name(), "--", ref, p.properties())));
        out.sort(Comparator.comparing((PluginInfo i) -> kindOrder(i.kind)).thenComparing(i -> i.name).thenComparing(i -> i.version));
        return out;
    }

    private static int kindOrder(String kind) {
        return List.of(PluginInfo.ENCAP, PluginInfo.SEARCH, PluginInfo.INVALIDATION).indexOf(kind);
    }

    private static PluginInfo info(String kind, String name, String detail, ServiceReference<?> ref,
            List<org.overlaygate.api.property.PropertySpec> properties) {
        Bundle bundle = ref.getBundle();
        String bsn = bundle == null ? "--" : bundle.getSymbolicName();
        String version = bundle == null ? "--" : bundle.getVersion().toString();
        String state = bundle == null ? "UNREGISTERED" : BundleStates.name(bundle.getState());
        return new PluginInfo(kind, name, detail, bsn, version, state, null, properties);
    }

    private static <T> Optional<T> best(Map<ServiceReference<?>, T> services, String name, java.util.function.Function<T, String> nameOf) {
        ServiceReference<?> bestRef = null;
        T best = null;
        for (Map.Entry<ServiceReference<?>, T> e : services.entrySet()) {
            if (nameOf.apply(e.getValue()).equals(name) && (bestRef == null || e.getKey().compareTo(bestRef) > 0
                    || (e.getKey().compareTo(bestRef) == 0 && serviceId(e.getKey()) > serviceId(bestRef)))) {
                bestRef = e.getKey();
                best = e.getValue();
            }
        }
        return Optional.ofNullable(best);
    }

    private static long serviceId(ServiceReference<?> ref) {
        Object id = ref.getProperty(Constants.SERVICE_ID);
        return id instanceof Long ? (Long) id : 0L;
    }

    private void changed(String kind, String name, ServiceReference<?> ref, boolean added) {
        Bundle b = ref.getBundle();
        LOG.info("{} plugin {} {} ({} {})", kind, name, added ? "registered" : "unregistered",
                b == null ? "?" : b.getSymbolicName(), b == null ? "?" : b.getVersion());
        for (Listener l : listeners) {
            try {
                l.pluginsChanged(kind, name);
            } catch (RuntimeException e) {
                LOG.error("plugin listener failed on {} {}", kind, name, e);
            }
        }
    }
}
