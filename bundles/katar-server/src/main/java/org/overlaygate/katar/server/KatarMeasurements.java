package org.overlaygate.katar.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.Measurements;

/**
 * The katar server's counters for the metrics endpoint ({@code overlaygate_katar_*}): what
 * {@code katar:show stats} shows, the cache hit ratio, and how long requests take. Empty while
 * the server is not running.
 */
final class KatarMeasurements implements Measurements {
    static final String SOURCE = "katar";
    /** Values of katar:show stats that go up and down; every other one only grows. */
    private static final Set<String> GAUGES = Set.of("connections", "cache_entries", "changefeed_connected");

    private final KatarComponent component;

    KatarMeasurements(KatarComponent component) {
        this.component = component;
    }

    private KatarService running() {
        try {
            return component.service();
        } catch (IllegalStateException notRunning) {
            return null;
        }
    }

    @Override
    public Map<String, Long> counters() {
        KatarService s = running();
        Map<String, Long> out = new LinkedHashMap<>();
        if (s != null) {
            s.stats().forEach((name, value) -> {
                if (!GAUGES.contains(name)) {
                    out.put(name, value);
                }
            });
        }
        return out;
    }

    @Override
    public Map<String, Double> gauges() {
        KatarService s = running();
        Map<String, Double> out = new LinkedHashMap<>();
        if (s != null) {
            Map<String, Long> stats = s.stats();
            for (String g : GAUGES) {
                if (stats.containsKey(g)) {
                    out.put(g, (double) stats.get(g));
                }
            }
            long hits = stats.getOrDefault("cache_hits", 0L);
            long lookups = hits + stats.getOrDefault("cache_misses", 0L);
            if (lookups > 0) {
                out.put("cache_hit_ratio", (double) hits / lookups);
            }
        }
        return out;
    }

    @Override
    public Map<String, LatencyHistogram.Snapshot> latencies() {
        KatarService s = running();
        return s == null ? Map.of() : Map.of("request_duration", s.server().stats().requestDuration().snapshot());
    }
}
