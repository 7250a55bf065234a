package org.overlaygate.api;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a bundle measures, for the metrics endpoint, registered as a service with the property
 * {@value #SOURCE} naming the source ({@code katar}); the names become metric names under it
 * ({@code overlaygate_katar_requests_vl2_total}), so they are lower case with underscores.
 */
@ConsumerType
public interface Measurements {
    /** Service property: the source's name, lower case. */
    String SOURCE = "overlaygate.measurements";

    /** Counts that only grow while the source runs ({@code requests_vl2}, {@code cache_hits}). */
    Map<String, Long> counters();

    /** Values that go up and down ({@code connections}, {@code cache_hit_ratio}). */
    Map<String, Double> gauges();

    /** Durations, in histograms ({@code request_duration}). */
    Map<String, LatencyHistogram.Snapshot> latencies();
}
