package org.overlaygate.varpd.overlay;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.search.SearchMode;

/**
 * An overlay as the operator defined it, and as it is stored (ConfigAdmin factory configuration
 * {@value #FACTORY_PID}): name, encapsulation, search and (optional) invalidation plugin, vnet id,
 * MTU, cache bound, the plugins' properties exactly as given, and the search plugin's saved state.
 * Immutable.
 */
public final class OverlayDefinition {
    public static final String FACTORY_PID = "org.overlaygate.overlay";
    static final String NAME = "overlay.name";
    static final String ENCAP = "overlay.encap";
    static final String SEARCH = "overlay.search";
    static final String INVALIDATION = "overlay.invalidation";
    static final String TRANSPORT = "overlay.transport";
    static final String MODE = "overlay.mode";
    static final String VNETID = "overlay.vnetid";
    static final String MTU = "overlay.mtu";
    static final String CACHE_MAX = "overlay.cache_max";
    static final String ACCEPT = "overlay.accept";
    static final String PROP_PREFIX = "prop.";
    static final String STATE_PREFIX = "state.";

    final String name;
    final String encap;
    final String search;
    /** The invalidation plugin, or null when the overlay has none. */
    final String invalidation;
    /**
     * The kind of underlay its encapsulation uses, as it was at creation (search plugins take other
     * properties over UDP than over raw IP); null in definitions stored before it was kept.
     */
    final UnderlayTransport.Kind transport;
    /** The search plugin's mode when the overlay was created: the device is built for it. */
    final SearchMode mode;
    final long vnetId;
    final int mtu;
    final int cacheMax;
    /** Frames only from senders the overlay knows (accept=peers). */
    final boolean peersOnly;
    /** Plugin properties as given, sorted ({@code vxlan/listen_ip} to its text). */
    final Map<String, String> properties;
    final Map<String, String> searchState;

    OverlayDefinition(String name, String encap, String search, String invalidation, UnderlayTransport.Kind transport, SearchMode mode,
            long vnetId, int mtu, int cacheMax, boolean peersOnly, Map<String, String> properties, Map<String, String> searchState) {
        this.name = Objects.requireNonNull(name);
        this.encap = Objects.requireNonNull(encap);
        this.search = Objects.requireNonNull(search);
        this.invalidation = invalidation;
        this.transport = transport;
        this.mode = Objects.requireNonNull(mode);
        this.vnetId = vnetId;
        this.mtu = mtu;
        this.cacheMax = cacheMax;
        this.peersOnly = peersOnly;
        this.properties = Map.copyOf(new TreeMap<>(properties));
        this.searchState = Map.copyOf(searchState);
    }

    /** The properties of one plugin's namespace ({@code vxlan/...}). */
    Map<String, String> propertiesOf(String plugin) {
        return OverlayValidator.namespaced(properties, plugin);
    }

    OverlayDefinition withSearchState(Map<String, String> state) {
        return new OverlayDefinition(name, encap, search, invalidation, transport, mode, vnetId, mtu, cacheMax, peersOnly, properties, state);
    }

    /** The same overlay with other properties (DHCP's, changed at run time). */
    OverlayDefinition withProperties(Map<String, String> changed) {
        return new OverlayDefinition(name, encap, search, invalidation, transport, mode, vnetId, mtu, cacheMax, peersOnly, changed, searchState);
    }

    Dictionary<String, Object> toDictionary() {
        Hashtable<String, Object> d = new Hashtable<>();
        d.put(NAME, name);
        d.put(ENCAP, encap);
        d.put(SEARCH, search);
        if (invalidation != null) {
            d.put(INVALIDATION, invalidation);
        }
        if (transport != null) {
            d.put(TRANSPORT, transport.name());
        }
        d.put(MODE, mode.name());
        d.put(VNETID, vnetId);
        d.put(MTU, mtu);
        d.put(CACHE_MAX, cacheMax);
        d.put(ACCEPT, peersOnly ? OverlayValidator.ACCEPT_PEERS : OverlayValidator.ACCEPT_ANY);
        properties.forEach((k, v) -> d.put(PROP_PREFIX + k, v));
        searchState.forEach((k, v) -> d.put(STATE_PREFIX + k, v));
        return d;
    }

    /** @throws IllegalArgumentException when a stored configuration is incomplete */
    static OverlayDefinition fromDictionary(Dictionary<String, Object> d) {
        Map<String, String> props = new TreeMap<>();
        Map<String, String> state = new TreeMap<>();
        for (Enumeration<String> keys = d.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            if (k.startsWith(PROP_PREFIX)) {
                props.put(k.substring(PROP_PREFIX.length()), String.valueOf(d.get(k)));
            } else if (k.startsWith(STATE_PREFIX)) {
                state.put(k.substring(STATE_PREFIX.length()), String.valueOf(d.get(k)));
            }
        }
        Object invalidation = d.get(INVALIDATION);
        Object transport = d.get(TRANSPORT);
        return new OverlayDefinition(string(d, NAME), string(d, ENCAP), string(d, SEARCH), invalidation == null ? null : invalidation.toString(),
                transport == null ? null : UnderlayTransport.Kind.valueOf(transport.toString()), SearchMode.valueOf(string(d, MODE)),
                number(d, VNETID).longValue(),
                number(d, MTU).intValue(), number(d, CACHE_MAX).intValue(), OverlayValidator.ACCEPT_PEERS.equals(d.get(ACCEPT)), props, state);
    }

    static String string(Dictionary<String, Object> d, String key) {
        Object v = d.get(key);
        if (v == null) {
            throw new IllegalArgumentException("stored definition lacks " + key);
        }
        return v.toString();
    }

    private static Number number(Dictionary<String, Object> d, String key) {
        Object v = d.get(key);
        if (v instanceof Number) {
            return (Number) v;
        }
        if (v != null) {
            return Long.parseLong(v.toString());
        }
        throw new IllegalArgumentException("stored definition lacks " + key);
    }
}
