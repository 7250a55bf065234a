/**
 * {@code GET /metrics} in the Prometheus text format, on the appliance's HTTP server.
 *
 * <p>Everything is read at scrape time from what the other bundles already count, through
 * overlay-api only: the data path's {@link org.overlaygate.api.datapath.DataPath} (what
 * {@code overlay:stats} shows: per overlay, VNIC and underlay socket, drops by reason, cache and
 * upcall events, the upcall queue, the target caches by state), varpd's
 * {@link org.overlaygate.api.OverlayStatus} (overlay status, lookup latency), the plugin services,
 * and every {@link org.overlaygate.api.Measurements} service (the katar server's). Nothing is
 * counted twice and the data path is not touched: a scrape costs what {@code overlay:stats} costs.
 * {@link org.overlaygate.metrics.ApplianceMetrics} turns those readings into prometheus-metrics
 * snapshots; names follow Prometheus' conventions: {@code overlaygate_} prefix, {@code _total}
 * for counters, seconds and bytes as units; what varies (an operation, a reason, a socket's
 * encapsulation, transport, address and port) is a label, never part of the name; ratios and
 * percentiles are left to PromQL (counts and histograms are exported); every label value known in
 * advance (drop reasons, katar operations) is there at 0 from the start, so a rate sees the first
 * event. Each search instance's own measurements are {@code overlaygate_search_<plugin>_*{overlay}}.
 * Besides: the JVM's and the process's metrics (prometheus-metrics' JVM instrumentation) and
 * {@code overlaygate_build_info{version}}. The alerting rules that go with these names ship as
 * {@code share/prometheus/overlaygate-alerts.yml}, with their promtool unit test.
 */
package org.overlaygate.metrics;
