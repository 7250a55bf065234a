package org.overlaygate.katar.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.Measurements;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;

/**
 * The katar server's counters for the metrics endpoint ({@code overlaygate_katar_*}): what
 * {@code katar:show stats} shows, and how long requests take. Counters named by kind and value
 * ({@code requests_vl2_req}, {@code closed_idle}, {@code tryagain_outstanding}) become one family
 * with a label ({@code requests_total{op="vl2_req"}}), every value known here present at 0 from
 * the start, also while the server is not running; cache hits and misses are counters (their
 * ratio is PromQL's to compute).
 */
final class KatarMeasurements implements Measurements {
    static final String SOURCE = "katar";
    /** Values of katar:show stats that go up and down; every other one only grows. */
    private static final Set<String> GAUGES = Set.of("connections", "cache_entries", "cache_suspended", "changefeed_connected");
    /** Counters of the protocol server known before they are first counted. */
    private static final List<String> COUNTERS = List.of("accepted_connections", "accept_errors", "read_paused", "cache_hits",
            "cache_misses", "cache_expired", "cache_evicted", "cache_invalidated", "cache_flushes", "cache_bypassed");

    /** A kind of counter whose name ends in a label value: its prefix, the family, the label and the values known from the start. */
    private record Split(String prefix, String family, String label, List<String> known) {
    }

    private static final List<Split> SPLITS = List.of(
            new Split("requests_", "requests", "op", requestOps()),
            new Split("closed_", "connections_closed", "reason", closeReasons()),
            new Split("tryagain_", "tryagain_answers", "reason", List.of("outstanding", "backend_error", "work_queue")),
            new Split("answered_", "error_answers", "status", List.of("badl3type", "badbulk")));

    private final KatarComponent component;

    KatarMeasurements(KatarComponent component) {
        this.component = component;
    }

    /** Every request the server answers, as counted ({@code ping}, {@code vl2_req} ...), and {@code unknown}. */
    private static List<String> requestOps() {
        List<String> out = new java.util.ArrayList<>();
        for (int op = 0; op < 0x100; op++) {
            if (Svp.replyOf(op) >= 0) {
                out.add(Svp.opName(op).toLowerCase(Locale.ROOT));
            }
        }
        out.add("unknown");
        return out;
    }

    /** Why the server closes a connection: the protocol's reasons and its own. */
    private static List<String> closeReasons() {
        List<String> out = new java.util.ArrayList<>();
        for (ProtocolException.Reason r : ProtocolException.Reason.values()) {
            out.add(r.counter);
        }
        out.addAll(List.of("idle", "stalled", "io_error", "internal_error", "unknown_op"));
        return out;
    }

    private Map<String, Long> stats() {
        try {
            return component.service().stats();
        } catch (IllegalStateException notRunning) {
            return Map.of();
        }
    }

    private static Split splitOf(String name) {
        for (Split s : SPLITS) {
            if (name.startsWith(s.prefix()) && name.length() > s.prefix().length()) {
                return s;
            }
        }
        return null;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        COUNTERS.forEach(c -> out.put(c, 0L));
        stats().forEach((name, value) -> {
            if (!GAUGES.contains(name) && splitOf(name) == null) {
                out.put(name, value);
            }
        });
        return out;
    }

    @Override
    public Map<String, LabelledCounters> labelledCounters() {
        Map<String, Map<String, Long>> values = new LinkedHashMap<>();
        for (Split s : SPLITS) {
            Map<String, Long> v = new TreeMap<>();
            s.known().forEach(k -> v.put(k, 0L));
            values.put(s.family(), v);
        }
        stats().forEach((name, value) -> {
            Split s = splitOf(name);
            if (s != null) {
                values.get(s.family()).put(name.substring(s.prefix().length()), value);
            }
        });
        Map<String, LabelledCounters> out = new LinkedHashMap<>();
        for (Split s : SPLITS) {
            out.put(s.family(), new LabelledCounters(s.label(), values.get(s.family())));
        }
        return out;
    }

    @Override
    public Map<String, Double> gauges() {
        Map<String, Long> stats = stats();
        Map<String, Double> out = new TreeMap<>();
        for (String g : GAUGES) {
            out.put(g, (double) stats.getOrDefault(g, 0L));
        }
        return out;
    }

    @Override
    public Map<String, LatencyHistogram.Snapshot> latencies() {
        try {
            return Map.of("request_duration", component.service().server().stats().requestDuration().snapshot());
        } catch (IllegalStateException notRunning) {
            return Map.of("request_duration", new LatencyHistogram().snapshot());
        }
    }
}
