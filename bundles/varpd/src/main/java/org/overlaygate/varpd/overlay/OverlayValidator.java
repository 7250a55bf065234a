package org.overlaygate.varpd.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.overlaygate.api.PluginConstants;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.invalidation.InvalidationPlugin;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchPlugin;
import org.overlaygate.api.shell.Suggestions;
import org.overlaygate.varpd.dhcp.DhcpConfig;
import org.overlaygate.varpd.plugins.PluginInfo;
import org.overlaygate.varpd.plugins.PluginLookup;

/**
 * Checks an {@code overlay:create} request against the plugins it names before anything is made:
 * the plugins exist, every property belongs to one of them, nothing required is missing, every value
 * parses, the vnet id and MTU are in range. Produces the definition to create, or a one-line
 * reason. Pure: it changes nothing.
 */
final class OverlayValidator {
    static final int MTU_MIN = 576;
    static final int MTU_MAX = 8900;
    /** Values of the generic property {@code accept}. */
    public static final String ACCEPT_ANY = "any";
    public static final String ACCEPT_PEERS = "peers";

    /** What the operator asked for. */
    static final class Request {
        final String name;
        final String encap;
        final String search;
        final String invalidation;
        final long vnetId;
        final Integer mtu;
        final Integer cacheMax;
        /** {@code any} or {@code peers}; null for the default. */
        final String accept;
        final Map<String, String> properties;

        Request(String name, String encap, String search, String invalidation, long vnetId, Integer mtu, Integer cacheMax, String accept,
                Map<String, String> properties) {
            this.name = Objects.requireNonNull(name);
            this.encap = Objects.requireNonNull(encap);
            this.search = Objects.requireNonNull(search);
            this.invalidation = invalidation;
            this.vnetId = vnetId;
            this.mtu = mtu;
            this.cacheMax = cacheMax;
            this.accept = accept;
            this.properties = Map.copyOf(properties);
        }
    }

    /** A checked request: the definition to create. */
    static final class Checked {
        final OverlayDefinition definition;

        Checked(OverlayDefinition definition) {
            this.definition = definition;
        }
    }

    private final PluginLookup plugins;

    OverlayValidator(PluginLookup plugins) {
        this.plugins = plugins;
    }

    /** @throws IllegalArgumentException with a one-line reason */
    Checked check(Request r) {
        EncapsulationPlugin encap = plugins.encap(r.encap).orElseThrow(() -> unknown("encapsulation", r.encap, PluginInfo.ENCAP));
        SearchPlugin search = plugins.search(r.search).orElseThrow(() -> unknown("search", r.search, PluginInfo.SEARCH));
        Optional<InvalidationPlugin> invalidation = Optional.empty();
        if (r.invalidation != null) {
            invalidation = Optional.of(plugins.invalidation(r.invalidation)
                    .orElseThrow(() -> unknown("invalidation", r.invalidation, PluginInfo.INVALIDATION)));
        }
        List<String> namespaces = new ArrayList<>(List.of(encap.name(), search.name()));
        invalidation.ifPresent(i -> namespaces.add(i.name()));
        namespaces.add(DhcpConfig.NAMESPACE); // valid whatever the plugins
        DhcpConfig.parse(r.properties);
        for (String key : r.properties.keySet()) {
            String ns = PluginConstants.namespaceOf(key);
            if (ns == null || !namespaces.contains(ns)) {
                throw new IllegalArgumentException("property " + key + " belongs to none of " + String.join(", ", namespaces));
            }
        }
        UnderlayTransport transport = encap.transport();
        List<PropertySpec> searchSpecs = search.properties(transport);
        List<List<PropertySpec>> all = new ArrayList<>(List.of(encap.properties(), searchSpecs));
        invalidation.ifPresent(i -> all.add(i.properties()));
        rejectUnknown(r.properties, all);
        List<String> missing = new ArrayList<>();
        for (List<PropertySpec> specs : all) {
            for (PropertySpec s : specs) {
                if (s.required() && s.defaultValue() == null && !r.properties.containsKey(s.name())) {
                    missing.add(s.name());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing required propert" + (missing.size() == 1 ? "y: " : "ies: ") + String.join(", ", missing));
        }
        try {
            PropertyValues.validate(encap.properties(), namespaced(r.properties, encap.name()));
            PropertyValues.validate(searchSpecs, namespaced(r.properties, search.name()));
            if (invalidation.isPresent()) {
                PropertyValues.validate(invalidation.get().properties(), namespaced(r.properties, invalidation.get().name()));
            }
        } catch (PropertyException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        String vnetProblem = encap.checkVnetId(r.vnetId);
        if (vnetProblem != null) {
            throw new IllegalArgumentException(vnetProblem);
        }
        int mtu = r.mtu == null ? encap.defaultMtu() : r.mtu;
        if (mtu < MTU_MIN || mtu > MTU_MAX) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range " + MTU_MIN + "-" + MTU_MAX);
        }
        int cacheMax = r.cacheMax == null ? DeviceConfig.DEFAULT_CACHE_MAX : r.cacheMax;
        if (cacheMax < 1) {
            throw new IllegalArgumentException("cache_max must be at least 1");
        }
        boolean peersOnly;
        if (r.accept == null || r.accept.equals(ACCEPT_ANY)) {
            peersOnly = false;
        } else if (r.accept.equals(ACCEPT_PEERS)) {
            peersOnly = true;
        } else {
            throw new IllegalArgumentException("accept: '" + r.accept + "' is not one of " + ACCEPT_ANY + ", " + ACCEPT_PEERS);
        }
        OverlayDefinition d = new OverlayDefinition(r.name, encap.name(), search.name(), invalidation.map(InvalidationPlugin::name).orElse(null),
                transport.kind(), search.mode(), r.vnetId, mtu, cacheMax, peersOnly, r.properties, Map.of());
        return new Checked(d);
    }

    /**
     * A misspelled property is named as unknown, with the nearest known one, before anything is
     * said about what is missing (vxlan/listen_pi is why vxlan/listen_ip is missing).
     */
    private static void rejectUnknown(Map<String, String> given, List<List<PropertySpec>> specs) {
        List<String> known = new ArrayList<>();
        specs.forEach(list -> list.forEach(s -> known.add(s.name())));
        for (String key : new java.util.TreeSet<>(given.keySet())) {
            if (!known.contains(key) && !DhcpConfig.isDhcpKey(key)) {
                String ns = PluginConstants.namespaceOf(key);
                List<String> ofPlugin = known.stream().filter(k -> ns.equals(PluginConstants.namespaceOf(k))).toList();
                throw new IllegalArgumentException("unknown property " + key + Suggestions.didYouMean(key, ofPlugin) + "; " + ns
                        + "'s properties: " + (ofPlugin.isEmpty() ? "none" : String.join(", ", ofPlugin)));
            }
        }
    }

    private IllegalArgumentException unknown(String what, String name, String kind) {
        List<String> names = plugins.names(kind);
        return new IllegalArgumentException("unknown " + what + " plugin '" + name + "' (installed: "
                + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }

    /** The properties of one plugin's namespace. */
    static Map<String, String> namespaced(Map<String, String> all, String plugin) {
        Map<String, String> out = new java.util.TreeMap<>();
        all.forEach((k, v) -> {
            if (plugin.equals(PluginConstants.namespaceOf(k))) {
                out.put(k, v);
            }
        });
        return out;
    }
}
