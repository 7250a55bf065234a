package org.overlaygate.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.Measurements;
import org.overlaygate.api.OverlayStatus;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;

/** Turns the appliance's readings into Prometheus metric families. Stateless. */
final class ApplianceMetrics {
    static final String PREFIX = "overlaygate_";

    private ApplianceMetrics() {
    }

    /** The points of one metric family, gathered before it is built as a counter or a gauge. */
    private static final class Family {
        final String name;
        final String help;
        final Unit unit;
        final boolean counter;
        final List<Double> values = new ArrayList<>();
        final List<Labels> labels = new ArrayList<>();

        private Family(String name, String help, Unit unit, boolean counter) {
            this.name = PREFIX + name;
            this.help = help;
            this.unit = unit;
            this.counter = counter;
        }

        static Family counter(String name, String help, Unit unit) {
            return new Family(name, help, unit, true);
        }

        static Family gauge(String name, String help, Unit unit) {
            return new Family(name, help, unit, false);
        }

        void point(double value, String... labelNamesAndValues) {
            values.add(value);
            labels.add(Labels.of(labelNamesAndValues));
        }

        void addTo(MetricSnapshots.Builder out) {
            if (counter) {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
                for (int i = 0; i < values.size(); i++) {
                    b.dataPoint(CounterDataPointSnapshot.builder().value(values.get(i)).labels(labels.get(i)).build());
                }
                out.metricSnapshot((unit == null ? b : b.unit(unit)).build());
            } else {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
                for (int i = 0; i < values.size(); i++) {
                    b.dataPoint(GaugeDataPointSnapshot.builder().value(values.get(i)).labels(labels.get(i)).build());
                }
                out.metricSnapshot((unit == null ? b : b.unit(unit)).build());
            }
        }
    }

    static MetricSnapshots collect(DataPath dataPath, OverlayStatus status, Map<String, Measurements> sources) {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        if (status != null) {
            overlays(status, out);
        }
        if (dataPath != null) {
            dataPath(dataPath, out);
        }
        for (Map.Entry<String, Measurements> source : new TreeMap<>(sources).entrySet()) {
            measurements(source.getKey(), source.getValue(), out);
        }
        return out.build();
    }

    private static void overlays(OverlayStatus status, MetricSnapshots.Builder out) {
        InfoSnapshot.Builder info = InfoSnapshot.builder().name(PREFIX + "overlay")
                .help("A defined overlay: its encapsulation, search and invalidation plugins and vnet id");
        Family online = Family.gauge("overlay_online", "1 when the overlay is ONLINE, 0 when DEGRADED (overlay:show -f says why)", null);
        Family reasons = Family.gauge("overlay_degraded_reasons", "How many reasons the overlay has to be DEGRADED", null);
        for (OverlayStatus.Overlay o : status.overlays()) {
            info.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("overlay", o.name(), "encapsulation", o.encapsulation(),
                    "search", o.search(), "invalidation", o.invalidation() == null ? "none" : o.invalidation(), "vnet_id",
                    Long.toString(o.vnetId()))).build());
            online.point(o.online() ? 1 : 0, "overlay", o.name());
            reasons.point(o.reasons().size(), "overlay", o.name());
        }
        out.metricSnapshot(info.build());
        InfoSnapshot.Builder plugins = InfoSnapshot.builder().name(PREFIX + "plugin")
                .help("A plugin service present now: its kind (encap, search, invalidation), name, bundle and version");
        for (OverlayStatus.Plugin p : status.plugins()) {
            plugins.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("kind", p.kind(), "name", p.name(), "bundle", p.bundle(),
                    "version", p.version())).build());
        }
        out.metricSnapshot(plugins.build());
        online.addTo(out);
        reasons.addTo(out);
        HistogramSnapshot.Builder lookups = HistogramSnapshot.builder().name(PREFIX + "lookup_duration_seconds").unit(Unit.SECONDS)
                .help("How long search plugins take to answer a target cache miss, from varpd taking it to the answer");
        status.lookupLatency().forEach((search, h) -> lookups.dataPoint(histogram(h, "search", search)));
        out.metricSnapshot(lookups.build());
    }

    private static HistogramDataPointSnapshot histogram(LatencyHistogram.Snapshot h, String... labels) {
        double[] bounds = h.upperBounds();
        double[] withInf = java.util.Arrays.copyOf(bounds, bounds.length + 1);
        withInf[bounds.length] = Double.POSITIVE_INFINITY;
        return HistogramDataPointSnapshot.builder().classicHistogramBuckets(ClassicHistogramBuckets.of(withInf, h.counts()))
                .sum(h.sumSeconds()).labels(Labels.of(labels)).build();
    }

    private static void dataPath(DataPath dp, MetricSnapshots.Builder out) {
        Family packets = Family.counter("overlay_packets", "Packets of an overlay: in from the underlay, out to the underlay", null);
        Family bytes = Family.counter("overlay_bytes", "Bytes of an overlay: in from the underlay, out to the underlay", Unit.BYTES);
        Family drops = Family.counter("overlay_dropped_packets", "Frames an overlay dropped, by reason", null);
        Family hits = Family.counter("overlay_cache_hits", "Unicast frames whose destination the target cache knew", null);
        Family misses = Family.counter("overlay_cache_misses", "Unicast frames whose destination the target cache did not know", null);
        Family events = Family.counter("overlay_events",
                "Events of an overlay's cache and upcall channel: learned, moved, aged_out, refreshed, proxied, upcall_dropped_* ...", null);
        Family entries = Family.gauge("overlay_cache_entries", "Target cache entries, by state (pending, valid, drop)", null);
        Family pending = Family.gauge("overlay_pending_frames", "Frames waiting on PENDING target cache entries", null);
        Family vnicPackets = Family.counter("vnic_packets", "Packets of a VNIC: in from its VM, out delivered to it", null);
        Family vnicBytes = Family.counter("vnic_bytes", "Bytes of a VNIC: in from its VM, out delivered to it", Unit.BYTES);
        Family vnicDrops = Family.counter("vnic_dropped_packets", "Frames from or to a VNIC that were dropped, by reason", null);
        for (OverlayDevice d : dp.devices()) {
            String o = d.name();
            DeviceStats s = d.stats();
            DeviceStats.Counters c = s.counters();
            packets.point(c.packetsIn(), "overlay", o, "direction", "in");
            packets.point(c.packetsOut(), "overlay", o, "direction", "out");
            bytes.point(c.bytesIn(), "overlay", o, "direction", "in");
            bytes.point(c.bytesOut(), "overlay", o, "direction", "out");
            new TreeMap<>(c.drops()).forEach((reason, n) -> drops.point(n, "overlay", o, "reason", reason));
            hits.point(s.cacheHits(), "overlay", o);
            misses.point(s.cacheMisses(), "overlay", o);
            new TreeMap<>(s.events()).forEach((event, n) -> events.point(n, "overlay", o, "event", event));
            Map<TargetEntry.State, Integer> byState = new EnumMap<>(TargetEntry.State.class);
            for (TargetEntry.State state : TargetEntry.State.values()) {
                byState.put(state, 0);
            }
            for (TargetEntry e : d.targets()) {
                byState.merge(e.state(), 1, Integer::sum);
            }
            byState.forEach((state, n) -> entries.point(n, "overlay", o, "state", state.name().toLowerCase(java.util.Locale.ROOT)));
            pending.point(s.pendingFrames(), "overlay", o);
            for (DeviceStats.Counters v : s.vnics()) {
                vnicPackets.point(v.packetsIn(), "vnic", v.name(), "overlay", o, "direction", "in");
                vnicPackets.point(v.packetsOut(), "vnic", v.name(), "overlay", o, "direction", "out");
                vnicBytes.point(v.bytesIn(), "vnic", v.name(), "overlay", o, "direction", "in");
                vnicBytes.point(v.bytesOut(), "vnic", v.name(), "overlay", o, "direction", "out");
                new TreeMap<>(v.drops()).forEach((reason, n) -> vnicDrops.point(n, "vnic", v.name(), "overlay", o, "reason", reason));
            }
        }
        Family underPackets = Family.counter("underlay_packets", "Packets of an underlay socket: in received, out sent", null);
        Family underBytes = Family.counter("underlay_bytes", "Bytes of an underlay socket: in received, out sent", Unit.BYTES);
        Family underDrops = Family.counter("underlay_dropped_packets",
                "Packets an underlay socket dropped before any overlay (malformed, unknown vnet id ...), by reason", null);
        for (DeviceStats.Counters u : dp.underlayStats()) {
            underPackets.point(u.packetsIn(), "socket", u.name(), "direction", "in");
            underPackets.point(u.packetsOut(), "socket", u.name(), "direction", "out");
            underBytes.point(u.bytesIn(), "socket", u.name(), "direction", "in");
            underBytes.point(u.bytesOut(), "socket", u.name(), "direction", "out");
            new TreeMap<>(u.drops()).forEach((reason, n) -> underDrops.point(n, "socket", u.name(), "reason", reason));
        }
        for (Family f : List.of(packets, bytes, drops, hits, misses, events, vnicPackets, vnicBytes, vnicDrops, underPackets, underBytes,
                underDrops, entries, pending)) {
            f.addTo(out);
        }
        Family queue = Family.gauge("upcall_queue_length", "Upcalls (misses, learned sources, not-here reports, address requests) waiting for varpd", null);
        queue.point(dp.queuedUpcalls());
        queue.addTo(out);
    }

    private static void measurements(String source, Measurements m, MetricSnapshots.Builder out) {
        String base = source + "_";
        new TreeMap<>(m.counters()).forEach((name, value) -> {
            Family c = Family.counter(base + name, source + " " + name.replace('_', ' '), null);
            c.point(value);
            c.addTo(out);
        });
        new TreeMap<>(m.gauges()).forEach((name, value) -> {
            Family g = Family.gauge(base + name, source + " " + name.replace('_', ' '), null);
            g.point(value);
            g.addTo(out);
        });
        new TreeMap<>(m.latencies()).forEach((name, h) -> out.metricSnapshot(HistogramSnapshot.builder().name(PREFIX + base + name + "_seconds")
                .unit(Unit.SECONDS).help(source + " " + name.replace('_', ' ')).dataPoint(histogram(h)).build()));
    }
}
