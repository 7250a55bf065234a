package org.overlaygate.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
    /** Names that may become part of a metric name: a source, a search plugin, a counter. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private ApplianceMetrics() {
    }

    /** The points of one metric family, gathered before it is built as a counter, a gauge or a histogram. */
    private static final class Family {
        enum Type { COUNTER, GAUGE, HISTOGRAM }

        final String name;
        final String help;
        final Unit unit;
        final Type type;
        final List<Object> values = new ArrayList<>();
        final List<Labels> labels = new ArrayList<>();

        private Family(String name, String help, Unit unit, Type type) {
            this.name = PREFIX + name;
            this.help = help;
            this.unit = unit;
            this.type = type;
        }

        static Family counter(String name, String help, Unit unit) {
            return new Family(name, help, unit, Type.COUNTER);
        }

        static Family gauge(String name, String help, Unit unit) {
            return new Family(name, help, unit, Type.GAUGE);
        }

        static Family histogram(String name, String help) {
            return new Family(name, help, Unit.SECONDS, Type.HISTOGRAM);
        }

        void point(double value, String... labelNamesAndValues) {
            values.add(value);
            labels.add(Labels.of(labelNamesAndValues));
        }

        void point(LatencyHistogram.Snapshot h, String... labelNamesAndValues) {
            values.add(h);
            labels.add(Labels.of(labelNamesAndValues));
        }

        void addTo(MetricSnapshots.Builder out) {
            switch (type) {
                case COUNTER: {
                    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
                    for (int i = 0; i < values.size(); i++) {
                        b.dataPoint(CounterDataPointSnapshot.builder().value((Double) values.get(i)).labels(labels.get(i)).build());
                    }
                    out.metricSnapshot((unit == null ? b : b.unit(unit)).build());
                    break;
                }
                case GAUGE: {
                    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
                    for (int i = 0; i < values.size(); i++) {
                        b.dataPoint(GaugeDataPointSnapshot.builder().value((Double) values.get(i)).labels(labels.get(i)).build());
                    }
                    out.metricSnapshot((unit == null ? b : b.unit(unit)).build());
                    break;
                }
                default: {
                    HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help).unit(unit);
                    for (int i = 0; i < values.size(); i++) {
                        b.dataPoint(histogramPoint((LatencyHistogram.Snapshot) values.get(i), labels.get(i)));
                    }
                    out.metricSnapshot(b.build());
                }
            }
        }
    }

    /** Families by name, kept in the order first made, so that several sources can add to one. */
    private static final class Families {
        private final Map<String, Family> byName = new LinkedHashMap<>();

        Family get(String name, String help, Unit unit, Family.Type type) {
            return byName.computeIfAbsent(name, n -> new Family(n, help, unit, type));
        }

        void addTo(MetricSnapshots.Builder out) {
            byName.values().forEach(f -> f.addTo(out));
        }
    }

    /**
     * Everything known now.
     *
     * @param version the appliance's version, for {@code overlaygate_build_info}
     * @param sources the {@link Measurements} services by source name
     */
    static MetricSnapshots collect(String version, DataPath dataPath, OverlayStatus status, Map<String, Measurements> sources) {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        out.metricSnapshot(InfoSnapshot.builder().name(PREFIX + "build").help("The appliance's version")
                .dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("version", version)).build()).build());
        if (status != null) {
            overlays(status, out);
        }
        if (dataPath != null) {
            dataPath(dataPath, out);
        }
        for (Map.Entry<String, Measurements> source : new TreeMap<>(sources).entrySet()) {
            Families families = new Families();
            measurements(source.getKey(), source.getValue(), families, null);
            families.addTo(out);
        }
        return out.build();
    }

    private static void overlays(OverlayStatus status, MetricSnapshots.Builder out) {
        InfoSnapshot.Builder info = InfoSnapshot.builder().name(PREFIX + "overlay")
                .help("A defined overlay: its encapsulation, search and invalidation plugins and vnet id");
        Family online = Family.gauge("overlay_online", "1 when the overlay is ONLINE, 0 when DEGRADED (overlay:show -f says why)", null);
        Family reasons = Family.gauge("overlay_degraded_reasons", "How many reasons the overlay has to be DEGRADED", null);
        Map<String, String> searchOf = new TreeMap<>();
        for (OverlayStatus.Overlay o : status.overlays()) {
            info.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("overlay", o.name(), "encapsulation", o.encapsulation(),
                    "search", o.search(), "invalidation", o.invalidation() == null ? "none" : o.invalidation(), "vnet_id",
                    Long.toString(o.vnetId()))).build());
            online.point(o.online() ? 1 : 0, "overlay", o.name());
            reasons.point(o.reasons().size(), "overlay", o.name());
            searchOf.put(o.name(), o.search());
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
        Family lookups = Family.histogram("lookup_duration_seconds",
                "How long search plugins take to answer a target cache miss, from varpd taking it to the answer");
        // every search plugin present, asked yet or not: an empty histogram until its first lookup
        Map<String, LatencyHistogram.Snapshot> latency = new TreeMap<>();
        status.plugins().stream().filter(p -> p.kind().equals("search")).forEach(p -> latency.put(p.name(), new LatencyHistogram().snapshot()));
        latency.putAll(status.lookupLatency());
        latency.forEach((search, h) -> lookups.point(h, "search", search));
        lookups.addTo(out);
        // each search instance's own counters: overlaygate_search_<plugin>_<name>{overlay}
        Families search = new Families();
        new TreeMap<>(status.searchMeasurements()).forEach((overlay, m) -> {
            String plugin = searchOf.get(overlay);
            if (plugin != null && NAME.matcher(plugin).matches()) {
                measurements("search_" + plugin, m, search, overlay);
            }
        });
        search.addTo(out);
    }

    private static HistogramDataPointSnapshot histogramPoint(LatencyHistogram.Snapshot h, Labels labels) {
        double[] bounds = h.upperBounds();
        double[] withInf = java.util.Arrays.copyOf(bounds, bounds.length + 1);
        withInf[bounds.length] = Double.POSITIVE_INFINITY;
        return HistogramDataPointSnapshot.builder().classicHistogramBuckets(ClassicHistogramBuckets.of(withInf, h.counts()))
                .sum(h.sumSeconds()).labels(labels).build();
    }

    private static void dataPath(DataPath dp, MetricSnapshots.Builder out) {
        Family packets = Family.counter("overlay_packets", "Packets of an overlay: in from the underlay, out to the underlay", null);
        Family bytes = Family.counter("overlay_bytes", "Bytes of an overlay: in from the underlay, out to the underlay", Unit.BYTES);
        Family drops = Family.counter("overlay_dropped_packets",
                "Frames an overlay dropped, and underlay packets refused whose header named its vnet id, by reason", null);
        Family hits = Family.counter("overlay_cache_hits", "Unicast frames whose destination the target cache knew", null);
        Family misses = Family.counter("overlay_cache_misses", "Unicast frames whose destination the target cache did not know", null);
        Family events = Family.counter("overlay_events",
                "Events of an overlay's cache and upcall channel: learned, moved, aged_out, refreshed, proxied, upcall_dropped_* ...", null);
        Family entries = Family.gauge("overlay_cache_entries", "Target cache entries, by state (pending, valid, drop)", null);
        Family pending = Family.gauge("overlay_pending_frames", "Frames waiting on PENDING target cache entries", null);
        Family vnicPackets = Family.counter("vnic_packets", "Packets of a VNIC: in from its VM, out delivered to it", null);
        Family vnicBytes = Family.counter("vnic_bytes", "Bytes of a VNIC: in from its VM, out delivered to it", Unit.BYTES);
        Family vnicDrops = Family.counter("vnic_dropped_packets", "Frames from or to a VNIC that were dropped, by reason", null);
        List<OverlayDevice> devices = dp.devices();
        List<DeviceStats> stats = new ArrayList<>();
        // every reason the data path counts under, and every reason and event any overlay or VNIC has
        // counted, is on every overlay (VNIC) from the start, at 0: a rate needs the series before the event
        Set<String> dropReasons = new TreeSet<>(dp.dropReasons());
        Set<String> vnicReasons = new TreeSet<>();
        Set<String> eventNames = new TreeSet<>();
        for (OverlayDevice d : devices) {
            DeviceStats s = d.stats();
            stats.add(s);
            dropReasons.addAll(s.counters().drops().keySet());
            eventNames.addAll(s.events().keySet());
            s.vnics().forEach(v -> vnicReasons.addAll(v.drops().keySet()));
        }
        for (int i = 0; i < devices.size(); i++) {
            OverlayDevice d = devices.get(i);
            String o = d.name();
            DeviceStats s = stats.get(i);
            DeviceStats.Counters c = s.counters();
            packets.point(c.packetsIn(), "overlay", o, "direction", "in");
            packets.point(c.packetsOut(), "overlay", o, "direction", "out");
            bytes.point(c.bytesIn(), "overlay", o, "direction", "in");
            bytes.point(c.bytesOut(), "overlay", o, "direction", "out");
            dropReasons.forEach(reason -> drops.point(c.drops().getOrDefault(reason, 0L), "overlay", o, "reason", reason));
            hits.point(s.cacheHits(), "overlay", o);
            misses.point(s.cacheMisses(), "overlay", o);
            eventNames.forEach(event -> events.point(s.event(event), "overlay", o, "event", event));
            Map<TargetEntry.State, Integer> byState = new EnumMap<>(TargetEntry.State.class);
            for (TargetEntry.State state : TargetEntry.State.values()) {
                byState.put(state, 0);
            }
            for (TargetEntry e : d.targets()) {
                byState.merge(e.state(), 1, Integer::sum);
            }
            byState.forEach((state, n) -> entries.point(n, "overlay", o, "state", state.name().toLowerCase(Locale.ROOT)));
            pending.point(s.pendingFrames(), "overlay", o);
            for (DeviceStats.Counters v : s.vnics()) {
                vnicPackets.point(v.packetsIn(), "vnic", v.name(), "overlay", o, "direction", "in");
                vnicPackets.point(v.packetsOut(), "vnic", v.name(), "overlay", o, "direction", "out");
                vnicBytes.point(v.bytesIn(), "vnic", v.name(), "overlay", o, "direction", "in");
                vnicBytes.point(v.bytesOut(), "vnic", v.name(), "overlay", o, "direction", "out");
                vnicReasons.forEach(reason -> vnicDrops.point(v.drops().getOrDefault(reason, 0L), "vnic", v.name(), "overlay", o, "reason", reason));
            }
        }
        Family underPackets = Family.counter("underlay_packets", "Packets of an underlay socket: in received, out sent", null);
        Family underBytes = Family.counter("underlay_bytes", "Bytes of an underlay socket: in received, out sent", Unit.BYTES);
        Family underDrops = Family.counter("underlay_dropped_packets",
                "Packets an underlay socket dropped before any overlay (malformed, naming no overlay's vnet id ...), by reason", null);
        List<DeviceStats.Counters> sockets = dp.underlayStats();
        Set<String> socketReasons = new TreeSet<>();
        sockets.forEach(u -> socketReasons.addAll(u.drops().keySet()));
        for (DeviceStats.Counters u : sockets) {
            String[] socket = SocketLabels.of(u.name());
            underPackets.point(u.packetsIn(), with(socket, "direction", "in"));
            underPackets.point(u.packetsOut(), with(socket, "direction", "out"));
            underBytes.point(u.bytesIn(), with(socket, "direction", "in"));
            underBytes.point(u.bytesOut(), with(socket, "direction", "out"));
            socketReasons.forEach(reason -> underDrops.point(u.drops().getOrDefault(reason, 0L), with(socket, "reason", reason)));
        }
        // the I/O offloads in use, as overlay:stats shows them (why one is off is in overlay:stats)
        Family underOffloads = Family.gauge("underlay_offload_on", "1 when the underlay socket uses the offload (mmsg, udp_gro, udp_gso, udp_mq), 0 when not", null);
        Family vnicOffloads = Family.gauge("vnic_offload_on", "1 when the TAP VNIC uses the offload (tap_tso, tap_gro, tap_mq), 0 when not", null);
        Set<String> socketNames = new TreeSet<>();
        sockets.forEach(u -> socketNames.add(u.name()));
        new TreeMap<>(dp.offloads()).forEach((name, features) -> new TreeMap<>(features).forEach((feature, state) -> {
            double on = state.startsWith("on") ? 1 : 0;
            if (socketNames.contains(name)) {
                underOffloads.point(on, with(SocketLabels.of(name), "offload", feature));
            } else {
                vnicOffloads.point(on, "vnic", name, "offload", feature);
            }
        }));
        for (Family f : List.of(packets, bytes, drops, hits, misses, events, vnicPackets, vnicBytes, vnicDrops, underPackets, underBytes,
                underDrops, entries, pending, underOffloads, vnicOffloads)) {
            f.addTo(out);
        }
        Family queue = Family.gauge("upcall_queue_length", "Upcalls (misses, learned sources, not-here reports, address requests) waiting for varpd", null);
        queue.point(dp.queuedUpcalls());
        queue.addTo(out);
    }

    private static String[] with(String[] labels, String name, String value) {
        String[] out = java.util.Arrays.copyOf(labels, labels.length + 2);
        out[labels.length] = name;
        out[labels.length + 1] = value;
        return out;
    }

    /**
     * The families of one {@link Measurements}: {@code overlaygate_<base>_<name>}, labelled by
     * {@code overlay} when it is one overlay's (a search instance's). A source that fails to
     * answer (its bundle being replaced) is left out of this scrape; names that could not be
     * metric names are left out always.
     */
    private static void measurements(String base, Measurements m, Families out, String overlay) {
        String[] labels = overlay == null ? new String[0] : new String[] {"overlay", overlay};
        String what = base.replace('_', ' ') + (overlay == null ? " " : " (per overlay; a server's connections are shared by its overlays) ");
        Map<String, Long> counters;
        Map<String, Double> gauges;
        Map<String, LatencyHistogram.Snapshot> latencies;
        Map<String, Measurements.LabelledCounters> labelled;
        try {
            counters = new TreeMap<>(m.counters());
            gauges = new TreeMap<>(m.gauges());
            latencies = new TreeMap<>(m.latencies());
            labelled = new TreeMap<>(m.labelledCounters());
        } catch (RuntimeException | LinkageError e) {
            return;
        }
        counters.forEach((name, value) -> {
            if (NAME.matcher(name).matches()) {
                out.get(base + "_" + name, what + name.replace('_', ' '), null, Family.Type.COUNTER).point(value, labels);
            }
        });
        labelled.forEach((name, l) -> {
            if (NAME.matcher(name).matches() && NAME.matcher(l.label()).matches()) {
                Family f = out.get(base + "_" + name, what + name.replace('_', ' ') + ", by " + l.label(), null, Family.Type.COUNTER);
                new TreeMap<>(l.values()).forEach((value, n) -> f.point(n, with(labels, l.label(), value)));
            }
        });
        gauges.forEach((name, value) -> {
            if (NAME.matcher(name).matches()) {
                out.get(base + "_" + name, what + name.replace('_', ' '), null, Family.Type.GAUGE).point(value, labels);
            }
        });
        latencies.forEach((name, h) -> {
            if (NAME.matcher(name).matches()) {
                out.get(base + "_" + name + "_seconds", what + name.replace('_', ' '), Unit.SECONDS, Family.Type.HISTOGRAM).point(h, labels);
            }
        });
    }
}
