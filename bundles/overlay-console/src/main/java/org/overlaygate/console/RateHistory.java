package org.overlaygate.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;

/**
 * Packets and bytes per second of every overlay and VNIC over the last ten minutes, for the
 * Overlays page's plot: the data path's counters sampled every {@value #PERIOD_MS} ms into rings
 * of {@value #SAMPLES} samples, at most {@value #MAX_SERIES} series (overlays first, then VNICs).
 */
@Component(service = RateHistory.class)
public final class RateHistory {
    static final long PERIOD_MS = 2_000;
    static final int SAMPLES = 300;
    static final int MAX_SERIES = 256;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile DataPath dataPath;

    private ScheduledExecutorService timer;
    /** Series by key ("overlay ovl0", "vnic vnic0"), in the order first seen. */
    private final Map<String, Series> series = new LinkedHashMap<>();

    /** One overlay's or VNIC's rates: rings of the sample times and of the four rates. */
    static final class Series {
        final String kind;
        final String name;
        final String overlay;
        final long[] time = new long[SAMPLES];
        final double[][] rates = new double[4][SAMPLES]; // packets in, packets out, bytes in, bytes out, per second
        int count;
        int next;
        long lastTime;
        long[] last;
        long seen;

        Series(String kind, String name, String overlay) {
            this.kind = kind;
            this.name = name;
            this.overlay = overlay;
        }

        void add(long nowMillis, long[] counters) {
            if (last != null && nowMillis > lastTime) {
                double seconds = (nowMillis - lastTime) / 1000.0;
                time[next] = nowMillis;
                for (int i = 0; i < 4; i++) {
                    rates[i][next] = Math.max(0, counters[i] - last[i]) / seconds; // a restarted counter reads 0, not negative
                }
                next = (next + 1) % SAMPLES;
                count = Math.min(count + 1, SAMPLES);
            }
            last = counters;
            lastTime = nowMillis;
        }

        /** The samples, oldest first: times (ms) and the four rates. */
        synchronized Snapshot snapshot() {
            long[] t = new long[count];
            double[][] r = new double[4][count];
            for (int i = 0; i < count; i++) {
                int at = (next - count + i + SAMPLES) % SAMPLES;
                t[i] = time[at];
                for (int k = 0; k < 4; k++) {
                    r[k][i] = rates[k][at];
                }
            }
            return new Snapshot(kind, name, overlay, t, r);
        }
    }

    record Snapshot(String kind, String name, String overlay, long[] times, double[][] rates) {
    }

    @Activate
    void activate() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "og-console-rates");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleSafely, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    private void sampleSafely() {
        try {
            DataPath dp = dataPath;
            if (dp != null) {
                sample(dp, System.currentTimeMillis());
            }
        } catch (RuntimeException e) {
            // a device deleted while read: the next sample sees the new set
        }
    }

    /** Reads every overlay's and VNIC's counters once. */
    void sample(DataPath dp, long nowMillis) {
        Map<String, long[]> now = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        for (OverlayDevice d : dp.devices()) {
            DeviceStats s = d.stats();
            now.put("overlay " + d.name(), counters(s.counters()));
            names.put("overlay " + d.name(), new String[] {"overlay", d.name(), d.name()});
            for (DeviceStats.Counters v : s.vnics()) {
                now.put("vnic " + v.name(), counters(v));
                names.put("vnic " + v.name(), new String[] {"vnic", v.name(), d.name()});
            }
        }
        synchronized (this) {
            series.keySet().retainAll(now.keySet()); // gone: forgotten
            for (Map.Entry<String, long[]> e : now.entrySet()) {
                Series s = series.get(e.getKey());
                if (s == null) {
                    if (series.size() >= MAX_SERIES) {
                        continue;
                    }
                    String[] n = names.get(e.getKey());
                    s = new Series(n[0], n[1], n[2]);
                    series.put(e.getKey(), s);
                }
                synchronized (s) {
                    s.add(nowMillis, e.getValue());
                }
            }
        }
    }

    private static long[] counters(DeviceStats.Counters c) {
        return new long[] {c.packetsIn(), c.packetsOut(), c.bytesIn(), c.bytesOut()};
    }

    /** Every series now, overlays and VNICs in the order first seen. */
    List<Snapshot> snapshot() {
        List<Series> all;
        synchronized (this) {
            all = new ArrayList<>(series.values());
        }
        List<Snapshot> out = new ArrayList<>();
        for (Series s : all) {
            out.add(s.snapshot());
        }
        return out;
    }
}
