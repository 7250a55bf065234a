package org.overlaygate.katar.server.net;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.overlaygate.api.LatencyHistogram;

/** Named counters of the protocol server: every refusal and drop is counted here; and how long requests take. */
public final class ServerStats {
    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final LatencyHistogram requestDuration = new LatencyHistogram();

    /** From a request read to its answer queued: at once from the cache, or after the database. */
    public LatencyHistogram requestDuration() {
        return requestDuration;
    }

    public void increment(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    public long get(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    /** Every counter, sorted by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
