package org.overlaygate.metrics;

import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.Test;
import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.Measurements;
import org.overlaygate.api.OverlayStatus;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;

/** The families and labels an operator's dashboards rely on, from fake readings. */
public class ApplianceMetricsTest {

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            if (!answers.containsKey(m.getName())) {
                throw new UnsupportedOperationException(m.getName());
            }
            return answers.get(m.getName());
        });
    }

    @Test
    public void everyCounterOfOverlayStatsWithLabelsAndUnits() throws Exception {
        DeviceStats stats = new DeviceStats("ovl0", new DeviceStats.Counters("ovl0", 10, 1000, 20, 2000, Map.of("no_destination", 3L)),
                7, 2, 1, 4, List.of(new DeviceStats.Counters("vnic0", 5, 500, 6, 600, Map.of("mtu_exceeded", 1L))),
                Map.of("learned", 9L, "upcall_dropped_miss", 1L));
        UnderlayAddress dest = UnderlayAddress.parse("10.0.0.2:4789");
        List<TargetEntry> targets = List.of(new TargetEntry(1, TargetEntry.State.VALID, TargetEntry.Origin.LOOKUP, List.of(dest), 0, 5),
                new TargetEntry(2, TargetEntry.State.PENDING, TargetEntry.Origin.LOOKUP, List.of(), 4, 1));
        OverlayDevice device = fake(OverlayDevice.class, Map.of("name", "ovl0", "stats", stats, "targets", targets));
        DataPath dp = fake(DataPath.class, Map.of("devices", List.of(device), "queuedUpcalls", 3, "dropReasons", java.util.Set.of("runt", "no_destination"),
                "offloads", Map.of("vxlan udp 10.0.0.1:4789", Map.of("mmsg", "on", "udp_gso", "off: kernel 4.19"), "vnic0", Map.of("tap_tso", "on")),
                "underlayStats", List.of(new DeviceStats.Counters("vxlan udp 10.0.0.1:4789", 30, 3000, 40, 4000, Map.of("unknown_vni", 2L)),
                        new DeviceStats.Counters("nvgre ip/47 10.0.0.1", 1, 100, 2, 200, Map.of()),
                        new DeviceStats.Counters("geneve udp [fd00::1]:6081", 3, 300, 4, 400, Map.of()))));
        LatencyHistogram lookups = new LatencyHistogram();
        lookups.record(300_000);
        OverlayStatus status = fake(OverlayStatus.class, Map.of("overlays",
                List.of(new OverlayStatus.Overlay("ovl0", "vxlan", "katar", null, 42, 1400, List.of("cannot reach any katar server"))),
                "lookupLatency", Map.of("katar", lookups.snapshot()),
                "plugins", List.of(new OverlayStatus.Plugin("encap", "vxlan", "udp/4789", "org.overlaygate.encap.vxlan", "1.0.0"),
                        new OverlayStatus.Plugin("search", "direct", "point", "org.overlaygate.search.direct", "1.0.0")),
                "searchMeasurements", Map.of("ovl0", fake(Measurements.class, Map.of("counters", Map.of("reconnects", 2L),
                        "gauges", Map.of("connections_up", 1.0), "latencies", Map.of("lookup_duration", lookups.snapshot()),
                        "labelledCounters", Map.of())))));
        Measurements katar = fake(Measurements.class, Map.of("counters", Map.of("accepted_connections", 4L), "gauges", Map.of("connections", 2.0),
                "latencies", Map.of("request_duration", lookups.snapshot()),
                "labelledCounters", Map.of("requests", new Measurements.LabelledCounters("op", Map.of("vl2_req", 12L, "ping", 0L)))));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, ApplianceMetrics.collect("1.2.3", dp, status, Map.of("katar", katar)),
                EscapingScheme.UNDERSCORE_ESCAPING);
        String text = out.toString(StandardCharsets.UTF_8);
        for (String line : List.of(
                "overlaygate_overlay_packets_total{direction=\"in\",overlay=\"ovl0\"} 10.0",
                "overlaygate_overlay_bytes_total{direction=\"out\",overlay=\"ovl0\"} 2000.0",
                "overlaygate_overlay_dropped_packets_total{overlay=\"ovl0\",reason=\"no_destination\"} 3.0",
                "overlaygate_overlay_dropped_packets_total{overlay=\"ovl0\",reason=\"runt\"} 0.0",
                "overlaygate_build_info{version=\"1.2.3\"} 1",
                "overlaygate_overlay_cache_hits_total{overlay=\"ovl0\"} 7.0",
                "overlaygate_overlay_cache_misses_total{overlay=\"ovl0\"} 2.0",
                "overlaygate_overlay_cache_entries{overlay=\"ovl0\",state=\"valid\"} 1.0",
                "overlaygate_overlay_cache_entries{overlay=\"ovl0\",state=\"pending\"} 1.0",
                "overlaygate_overlay_cache_entries{overlay=\"ovl0\",state=\"drop\"} 0.0",
                "overlaygate_overlay_pending_frames{overlay=\"ovl0\"} 4.0",
                "overlaygate_overlay_events_total{event=\"learned\",overlay=\"ovl0\"} 9.0",
                "overlaygate_overlay_events_total{event=\"upcall_dropped_miss\",overlay=\"ovl0\"} 1.0",
                "overlaygate_vnic_packets_total{direction=\"in\",overlay=\"ovl0\",vnic=\"vnic0\"} 5.0",
                "overlaygate_vnic_dropped_packets_total{overlay=\"ovl0\",reason=\"mtu_exceeded\",vnic=\"vnic0\"} 1.0",
                "overlaygate_underlay_packets_total{address=\"10.0.0.1\",direction=\"out\",encapsulation=\"vxlan\",port=\"4789\",transport=\"udp\"} 40.0",
                "overlaygate_underlay_dropped_packets_total{address=\"10.0.0.1\",encapsulation=\"vxlan\",port=\"4789\",reason=\"unknown_vni\",transport=\"udp\"} 2.0",
                "overlaygate_underlay_dropped_packets_total{address=\"10.0.0.1\",encapsulation=\"nvgre\",port=\"\",reason=\"unknown_vni\",transport=\"ip/47\"} 0.0",
                "overlaygate_underlay_packets_total{address=\"fd00::1\",direction=\"in\",encapsulation=\"geneve\",port=\"6081\",transport=\"udp\"} 3.0",
                "overlaygate_upcall_queue_length 3.0",
                "overlaygate_underlay_offload_on{address=\"10.0.0.1\",encapsulation=\"vxlan\",offload=\"mmsg\",port=\"4789\",transport=\"udp\"} 1.0",
                "overlaygate_underlay_offload_on{address=\"10.0.0.1\",encapsulation=\"vxlan\",offload=\"udp_gso\",port=\"4789\",transport=\"udp\"} 0.0",
                "overlaygate_vnic_offload_on{offload=\"tap_tso\",vnic=\"vnic0\"} 1.0",
                "overlaygate_overlay_info{encapsulation=\"vxlan\",invalidation=\"none\",overlay=\"ovl0\",search=\"katar\",vnet_id=\"42\"} 1",
                "overlaygate_overlay_online{overlay=\"ovl0\"} 0.0",
                "overlaygate_overlay_degraded_reasons{overlay=\"ovl0\"} 1.0",
                "# TYPE overlaygate_lookup_duration_seconds histogram",
                "overlaygate_lookup_duration_seconds_bucket{search=\"katar\",le=\"5.0E-4\"} 1",
                "overlaygate_lookup_duration_seconds_count{search=\"katar\"} 1",
                "overlaygate_lookup_duration_seconds_count{search=\"direct\"} 0",
                "overlaygate_plugin_info{bundle=\"org.overlaygate.encap.vxlan\",kind=\"encap\",name=\"vxlan\",version=\"1.0.0\"} 1",
                "overlaygate_katar_requests_total{op=\"vl2_req\"} 12.0",
                "overlaygate_katar_requests_total{op=\"ping\"} 0.0",
                "overlaygate_katar_accepted_connections_total 4.0",
                "overlaygate_katar_connections 2.0",
                "overlaygate_katar_request_duration_seconds_count 1",
                "overlaygate_search_katar_reconnects_total{overlay=\"ovl0\"} 2.0",
                "overlaygate_search_katar_connections_up{overlay=\"ovl0\"} 1.0",
                "overlaygate_search_katar_lookup_duration_seconds_count{overlay=\"ovl0\"} 1")) {
            assertTrue(line + "\n---\n" + text, text.contains(line + "\n"));
        }
        assertTrue("no ratio is exported: " + text, !text.contains("_ratio"));
    }

    @Test
    public void whatIsAbsentIsNotReported() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, ApplianceMetrics.collect("1.2.3", null, null, Map.of()), EscapingScheme.UNDERSCORE_ESCAPING);
        assertTrue(out.toString(StandardCharsets.UTF_8), !out.toString(StandardCharsets.UTF_8).contains("overlaygate_overlay_packets"));
    }
}
