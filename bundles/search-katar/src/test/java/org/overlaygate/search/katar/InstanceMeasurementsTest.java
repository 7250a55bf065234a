package org.overlaygate.search.katar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.LatencyHistogram;

/** overlay:stats' counters of a katar overlay, typed for /metrics: counts, readings, and latency as a histogram. */
public class InstanceMeasurementsTest {
    @Test
    public void countersGaugesAndAHistogramInsteadOfPercentiles() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(2_000_000);
        InstanceMeasurements m = new InstanceMeasurements(() -> Map.of("lookups", 5L, "reconnects", 1L, "connections_up", 1L,
                "requests_waiting", 3L, "lookup_latency_p50_us", 2000L, "lookup_latency_p99_us", 2000L), h);
        assertEquals(Map.of("lookups", 5L, "reconnects", 1L), m.counters());
        assertEquals(Map.of("connections_up", 1.0, "requests_waiting", 3.0), m.gauges());
        assertEquals(1, m.latencies().get("lookup_duration").count());
        assertFalse(m.counters().containsKey("lookup_latency_p99_us"));
    }
}
