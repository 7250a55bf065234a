package org.overlaygate.console;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;

/** Rates from counters: per second, oldest first, bounded, and a restarted counter never reads negative. */
public class RateHistoryTest {
    private final AtomicLong packets = new AtomicLong();

    private DataPath dataPath() {
        OverlayDevice device = (OverlayDevice) Proxy.newProxyInstance(OverlayDevice.class.getClassLoader(), new Class<?>[] {OverlayDevice.class},
                (p, m, a) -> {
                    switch (m.getName()) {
                        case "name":
                            return "ovl0";
                        case "stats":
                            long n = packets.get();
                            return new DeviceStats("ovl0", new DeviceStats.Counters("ovl0", n, n * 100, 2 * n, 200 * n, Map.of()), 0, 0, 0, 0,
                                    List.of(new DeviceStats.Counters("vnic0", 2 * n, 200 * n, n, 100 * n, Map.of())), Map.of());
                        default:
                            throw new UnsupportedOperationException(m.getName());
                    }
                });
        return (DataPath) Proxy.newProxyInstance(DataPath.class.getClassLoader(), new Class<?>[] {DataPath.class},
                (p, m, a) -> List.of(device));
    }

    @Test
    public void ratesPerSecondOldestFirstBounded() {
        RateHistory h = new RateHistory();
        DataPath dp = dataPath();
        h.sample(dp, 0);
        assertEquals("one reading is no rate yet", 0, h.snapshot().get(0).times().length);
        packets.set(10);
        h.sample(dp, 2_000);
        packets.set(40);
        h.sample(dp, 4_000);
        RateHistory.Snapshot overlay = h.snapshot().get(0);
        assertEquals("overlay", overlay.kind());
        assertArrayEquals(new long[] {2_000, 4_000}, overlay.times());
        assertArrayEquals(new double[] {5, 15}, overlay.rates()[0], 1e-9);   // packets in
        assertArrayEquals(new double[] {10, 30}, overlay.rates()[1], 1e-9);  // packets out
        assertArrayEquals(new double[] {500, 1500}, overlay.rates()[2], 1e-9); // bytes in
        RateHistory.Snapshot vnic = h.snapshot().get(1);
        assertEquals("vnic0", vnic.name());
        assertEquals("ovl0", vnic.overlay());
        assertArrayEquals(new double[] {10, 30}, vnic.rates()[0], 1e-9);

        packets.set(0); // the data path restarted: its counters begin again
        h.sample(dp, 6_000);
        assertEquals(0, h.snapshot().get(0).rates()[0][2], 0);

        for (int i = 0; i < RateHistory.SAMPLES + 10; i++) {
            packets.addAndGet(2);
            h.sample(dp, 8_000 + 2_000L * i);
        }
        RateHistory.Snapshot bounded = h.snapshot().get(0);
        assertEquals(RateHistory.SAMPLES, bounded.times().length);
        assertEquals(8_000 + 2_000L * (RateHistory.SAMPLES + 9), bounded.times()[RateHistory.SAMPLES - 1]);
        assertEquals(1, bounded.rates()[0][RateHistory.SAMPLES - 1], 1e-9);
    }
}
