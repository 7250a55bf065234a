package org.overlaygate.search.katar;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.Measurements;

/**
 * One overlay's katar client as metrics read it ({@code overlaygate_search_katar_*{overlay}}):
 * the counters of {@code overlay:stats} as counters, the connections up and requests waiting as
 * gauges, and lookup latency as a histogram instead of the percentiles {@code overlay:stats}
 * prints for people. The connection counters are the server pool's, shared by the overlays that
 * name the same server.
 */
final class InstanceMeasurements implements Measurements {
    /** Readings of {@link KatarSearch#stats()} that go up and down. */
    static final Set<String> GAUGES = Set.of("connections_up", "requests_waiting");
    /** Figures for people, derived from the latency histogram: not exported. */
    static final Set<String> PERCENTILES = Set.of("lookup_latency_p50_us", "lookup_latency_p99_us");

    private final Supplier<Map<String, Long>> stats;
    private final LatencyHistogram lookupDuration;

    InstanceMeasurements(Supplier<Map<String, Long>> stats, LatencyHistogram lookupDuration) {
        this.stats = stats;
        this.lookupDuration = lookupDuration;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>(stats.get());
        out.keySet().removeAll(GAUGES);
        out.keySet().removeAll(PERCENTILES);
        return out;
    }

    @Override
    public Map<String, Double> gauges() {
        Map<String, Long> s = stats.get();
        Map<String, Double> out = new TreeMap<>();
        for (String g : GAUGES) {
            out.put(g, (double) s.getOrDefault(g, 0L));
        }
        return out;
    }

    @Override
    public Map<String, LatencyHistogram.Snapshot> latencies() {
        return Map.of("lookup_duration", lookupDuration.snapshot());
    }
}
