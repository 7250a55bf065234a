package org.overlaygate.api;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a bundle measures, for the metrics endpoint, registered as a service with the property
 * {@value #SOURCE} naming the source ({@code katar}); the names become metric names under it
 * ({@code overlaygate_katar_connections}), so they are lower case with underscores. A search
 * instance may measure itself the same way ({@link org.overlaygate.api.search.SearchInstance#measurements}).
 * Ratios are not measurements: the counts are, and a ratio is computed from them where it is shown.
 */
@ConsumerType
public interface Measurements {
    /** Service property: the source's name, lower case. */
    String SOURCE = "overlaygate.measurements";

    /** Counts that only grow while the source runs ({@code requests_vl2}, {@code cache_hits}). */
    Map<String, Long> counters();

    /** Values that go up and down ({@code connections}, {@code cache_entries}). */
    Map<String, Double> gauges();

    /** Durations, in histograms ({@code request_duration}). */
    Map<String, LatencyHistogram.Snapshot> latencies();

    /**
     * Counters of one kind split by one label: {@code requests} by {@code op}
     * ({@code overlaygate_katar_requests_total{op="vl2_req"}}), not one name per operation. Every
     * value the label is known to take is present from the start, at 0. Empty by default.
     *
     * @since 1.2
     */
    default Map<String, LabelledCounters> labelledCounters() {
        return Map.of();
    }

    /** The counts of one kind by the values of one label. Immutable. */
    final class LabelledCounters {
        private final String label;
        private final Map<String, Long> values;

        public LabelledCounters(String label, Map<String, Long> values) {
            this.label = label;
            this.values = Map.copyOf(values);
        }

        /** The label's name ({@code op}, {@code reason}). */
        public String label() {
            return label;
        }

        /** The count of each value of the label. */
        public Map<String, Long> values() {
            return values;
        }
    }
}
