package org.overlaygate.router;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.Measurements;

/**
 * The routers' counters for {@code /metrics}, summed over this host's routers:
 * {@code overlaygate_router_packets_routed_total}, {@code _dropped_packets_total{reason}} and
 * {@code _events_total{event}} (every name of {@code router:stats}, at 0 from the start), and the
 * gauges {@code _routers}, {@code _neighbours}, {@code _connections} (masqueraded).
 */
@Component(service = Measurements.class, property = Measurements.SOURCE + "=router")
public final class RouterMeasurements implements Measurements {
    @Reference
    private RouterManager manager;

    public RouterMeasurements() {
    }

    RouterMeasurements(RouterManager manager) {
        this.manager = manager;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("packets_routed", sum().getOrDefault(RouterCounters.ROUTED, 0L));
    }

    @Override
    public Map<String, LabelledCounters> labelledCounters() {
        Map<String, Long> drops = new LinkedHashMap<>();
        Map<String, Long> events = new LinkedHashMap<>();
        sum().forEach((name, value) -> {
            if (RouterCounters.isDrop(name)) {
                drops.put(name, value);
            } else if (!name.equals(RouterCounters.ROUTED)) {
                events.put(name, value);
            }
        });
        return Map.of("dropped_packets", new LabelledCounters("reason", drops), "events", new LabelledCounters("event", events));
    }

    @Override
    public Map<String, Double> gauges() {
        double neighbours = 0;
        double connections = 0;
        int routers = 0;
        for (Router r : manager.routers()) {
            routers++;
            connections += r.conns.size();
            for (RouterPort p : r.config().ports) {
                neighbours += p.neighbours.entries().size();
            }
        }
        return Map.of("routers", (double) routers, "neighbours", neighbours, "connections", connections);
    }

    @Override
    public Map<String, LatencyHistogram.Snapshot> latencies() {
        return Map.of();
    }

    private Map<String, Long> sum() {
        Map<String, Long> total = new RouterCounters().snapshot(); // every name, at 0
        for (Router r : manager.routers()) {
            r.counters.snapshot().forEach((name, value) -> total.merge(name, value, Long::sum));
        }
        return total;
    }
}
