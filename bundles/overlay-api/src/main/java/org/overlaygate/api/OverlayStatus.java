package org.overlaygate.api;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The overlays as varpd keeps them, for whatever reports on them (metrics, the web console) without
 * reaching into varpd: each defined overlay with its plugins and status, and whether varpd has
 * caught up with everything it was told. Registered by varpd while it runs. Thread-safe.
 */
@ProviderType
public interface OverlayStatus {

    /** Every defined overlay, sorted by name. */
    List<Overlay> overlays();

    /**
     * True when every stored overlay has been brought as close to its definition as what is present
     * allows (its device created, its plugins bound, or the reasons why not recorded) and nothing is
     * waiting to be reconciled: what {@code overlay:show -f} prints now will not change by itself.
     */
    boolean settled();

    /**
     * How long search plugins took to answer misses, from varpd taking a miss from the data path to
     * the plugin's answer, by search plugin name.
     */
    java.util.Map<String, LatencyHistogram.Snapshot> lookupLatency();

    /** Every plugin service present now, as {@code overlay:plugins} lists them: kind, then name. */
    List<Plugin> plugins();

    /**
     * What each overlay's search instance measures of itself (connections, lookups, their
     * latency: {@link org.overlaygate.api.search.SearchInstance#measurements}), by overlay name;
     * overlays whose instance measures nothing, or has none now, are absent. Read live.
     *
     * @since 1.2
     */
    default java.util.Map<String, Measurements> searchMeasurements() {
        return java.util.Map.of();
    }

    /** One plugin service. Immutable. */
    final class Plugin {
        private final String kind;
        private final String name;
        private final String detail;
        private final String bundle;
        private final String version;

        public Plugin(String kind, String name, String detail, String bundle, String version) {
            this.kind = kind;
            this.name = name;
            this.detail = detail;
            this.bundle = bundle;
            this.version = version;
        }

        /** {@code encap}, {@code search} or {@code invalidation}. */
        public String kind() {
            return kind;
        }

        public String name() {
            return name;
        }

        /** The transport of an encapsulation ({@code udp/4789}), the mode of a search plugin ({@code dynamic}). */
        public String detail() {
            return detail;
        }

        /** The symbolic name of the bundle that registered it. */
        public String bundle() {
            return bundle;
        }

        public String version() {
            return version;
        }
    }

    /** One overlay's definition and status, as {@code overlay:show -f} prints it. Immutable. */
    final class Overlay {
        private final String name;
        private final String encapsulation;
        private final String search;
        private final String invalidation;
        private final long vnetId;
        private final int mtu;
        private final List<String> reasons;

        public Overlay(String name, String encapsulation, String search, String invalidation, long vnetId, int mtu, List<String> reasons) {
            this.name = name;
            this.encapsulation = encapsulation;
            this.search = search;
            this.invalidation = invalidation;
            this.vnetId = vnetId;
            this.mtu = mtu;
            this.reasons = List.copyOf(reasons);
        }

        public String name() {
            return name;
        }

        public String encapsulation() {
            return encapsulation;
        }

        public String search() {
            return search;
        }

        /** The invalidation plugin's name, or {@code null} when the overlay has none. */
        public String invalidation() {
            return invalidation;
        }

        public long vnetId() {
            return vnetId;
        }

        public int mtu() {
            return mtu;
        }

        /** ONLINE when there is no reason, DEGRADED otherwise. */
        public boolean online() {
            return reasons.isEmpty();
        }

        /** Why it is DEGRADED, every reason; empty when ONLINE. */
        public List<String> reasons() {
            return reasons;
        }
    }
}
