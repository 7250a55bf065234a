package org.overlaygate.console;

import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.Measurements;
import org.overlaygate.api.OverlayStatus;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;

/** What the Overlays page gets to troubleshoot with, from fake readings: drops, events, cache, sockets, the search plugin's connection. */
public class OverlaysPageTest {
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
    public void theDataHasWhatAnOperatorLooksForWhenSomethingIsWrong() {
        DeviceStats stats = new DeviceStats("k1", new DeviceStats.Counters("k1", 10, 1000, 20, 2000, Map.of("pending_full", 3L, "runt", 0L)),
                7, 2, 2, 4, List.of(new DeviceStats.Counters("vnic0", 5, 500, 6, 600, Map.of("delivery_failed", 1L))),
                Map.of("learned", 9L, "upcall_dropped_miss", 1L));
        List<TargetEntry> targets = List.of(
                new TargetEntry(1, TargetEntry.State.VALID, TargetEntry.Origin.LOOKUP, List.of(UnderlayAddress.parse("10.0.0.2:4789")), 0, 5),
                new TargetEntry(2, TargetEntry.State.PENDING, TargetEntry.Origin.LOOKUP, List.of(), 4, 1),
                new TargetEntry(3, TargetEntry.State.VALID, TargetEntry.Origin.STATIC, List.of(UnderlayAddress.parse("10.0.0.3:4789")), 0, 1));
        OverlayDevice device = fake(OverlayDevice.class, Map.of("name", "k1", "stats", stats, "targets", targets));
        DataPath dp = fake(DataPath.class, Map.of("devices", List.of(device), "queuedUpcalls", 3, "vnics", List.of(),
                "offloads", Map.of("vxlan udp 10.0.0.1:4789", Map.of("mmsg", "on", "udp_gso", "off: kernel 4.19")),
                "underlayStats", List.of(new DeviceStats.Counters("vxlan udp 10.0.0.1:4789", 30, 3000, 40, 4000, Map.of("unknown_vnet", 2L)))));
        Measurements katar = fake(Measurements.class, Map.of("gauges", Map.of("connections_up", 0.0, "requests_waiting", 2.0),
                "counters", Map.of("reconnects", 5L, "connects", 1L), "latencies", Map.of("lookup_duration", new LatencyHistogram().snapshot())));
        OverlayStatus status = fake(OverlayStatus.class, Map.of("overlays",
                List.of(new OverlayStatus.Overlay("k1", "vxlan", "katar", null, 42, 1400, List.of("cannot reach any katar server"))),
                "plugins", List.of(), "searchMeasurements", Map.of("k1", katar)));
        RateHistory rates = new RateHistory();
        String json = new OverlaysPage(dp, status, rates).data();
        for (String part : List.of("\"cache_hits\":7,\"cache_misses\":2,\"pending_frames\":4,\"entries\":{\"pending\":1,\"valid\":2,\"drop\":0}",
                "\"drops\":{\"pending_full\":3}", "\"events\":{\"learned\":9,\"upcall_dropped_miss\":1}", "\"upcall_queue\":3",
                "{\"name\":\"vxlan udp 10.0.0.1:4789\",\"pin\":30,\"pout\":40,\"bin\":3000,\"bout\":4000,\"drops\":{\"unknown_vnet\":2},"
                        + "\"offloads\":{\"mmsg\":\"on\",\"udp_gso\":\"off: kernel 4.19\"}}",
                "{\"overlay\":\"k1\",\"search\":\"katar\",\"gauges\":{\"connections_up\":0,\"requests_waiting\":2},\"counters\":{\"connects\":1,\"reconnects\":5}}",
                "\"state\":\"valid\",\"origin\":\"katar\"", "\"state\":\"valid\",\"origin\":\"static\"",
                "\"state\":\"pending\",\"origin\":\"katar\",\"age_ms\":1,\"destination\":\"4 frames waiting\"")) {
            assertTrue(part + "\n---\n" + json, json.contains(part));
        }
        assertTrue("the cache's origin as the CLI names it: " + json, !json.contains("\"origin\":\"lookup\""));
    }
}
