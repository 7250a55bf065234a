package org.overlaygate.katar.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.Measurements;

/** What /metrics gets from the katar server before it ever ran: every family, at 0, operations as a label, no ratio. */
public class KatarMeasurementsTest {
    @Test
    public void everyFamilyIsThereAtZeroFromTheStartWithOperationsAsALabel() {
        KatarMeasurements m = new KatarMeasurements(new KatarComponent());
        Map<String, Measurements.LabelledCounters> labelled = m.labelledCounters();
        Measurements.LabelledCounters requests = labelled.get("requests");
        assertEquals("op", requests.label());
        for (String op : new String[] {"ping", "vl2_req", "vl3_req", "bulk_req", "log_req", "log_rm", "unknown"}) {
            assertEquals(op, Long.valueOf(0), requests.values().get(op));
        }
        assertEquals("reason", labelled.get("connections_closed").label());
        assertTrue(labelled.get("connections_closed").values().containsKey("malformed"));
        assertEquals(Long.valueOf(0), labelled.get("tryagain_answers").values().get("backend_error"));
        assertEquals(Long.valueOf(0), m.counters().get("cache_hits"));
        assertFalse("a ratio is PromQL's to compute", m.gauges().containsKey("cache_hit_ratio"));
        assertEquals(Double.valueOf(0), m.gauges().get("connections"));
        assertEquals(0, m.latencies().get("request_duration").count());
        assertFalse("no counter named by its operation", m.counters().keySet().stream().anyMatch(k -> k.startsWith("requests_")));
    }
}
