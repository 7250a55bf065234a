package org.overlaygate.router;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

/** What /metrics gets from the routers: sums over them, every reason present from the start. */
public class RouterMeasurementsTest {
    @Test
    public void countersAreSummedOverRoutersWithEveryNamePresent() throws Exception {
        FakeServices.Overlays overlays = new FakeServices.Overlays();
        overlays.add("ovl1", 1400);
        RouterManager manager = new RouterManager(overlays.dataPath(), new RouterStore(new FakeServices.Store().admin()), () -> 1L, null);
        RouterMeasurements m = new RouterMeasurements(manager);
        assertEquals(0L, (long) m.labelledCounters().get("dropped_packets").values().get(RouterCounters.DROP_NO_ROUTE));
        manager.create("r1", -1);
        manager.create("r2", -1);
        manager.attach("r1", "ovl1", -1, List.of(Prefix.parse("10.1.0.1/24")));
        manager.router("r1").counters.increment(RouterCounters.I_NO_ROUTE);
        manager.router("r2").counters.increment(RouterCounters.I_NO_ROUTE);
        manager.router("r2").counters.increment(RouterCounters.I_ROUTED);
        assertEquals(2L, (long) m.labelledCounters().get("dropped_packets").values().get(RouterCounters.DROP_NO_ROUTE));
        assertEquals("reason", m.labelledCounters().get("dropped_packets").label());
        assertEquals(0L, (long) m.labelledCounters().get("events").values().get(RouterCounters.ECHO_ANSWERED));
        assertEquals(1L, (long) m.counters().get("packets_routed"));
        assertEquals(2.0, m.gauges().get("routers"), 0);
    }
}
