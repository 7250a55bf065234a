package org.overlaygate.core.device;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.overlaygate.api.datapath.DeviceStats;

/**
 * Packet, byte and drop counters of one device, VNIC or underlay socket. Written by several
 * threads without locks (LongAdder); a drop reason is a constant string, so counting a drop looks
 * up an existing adder without allocating.
 */
public final class Counters {
    private final String name;
    private final LongAdder packetsIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder packetsOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> drops = new ConcurrentHashMap<>();

    public Counters(String name) {
        this.name = name;
    }

    public void in(int bytes) {
        packetsIn.increment();
        bytesIn.add(bytes);
    }

    public void out(int bytes) {
        packetsOut.increment();
        bytesOut.add(bytes);
    }

    public void drop(String reason) {
        LongAdder adder = drops.get(reason);
        if (adder == null) {
            adder = drops.computeIfAbsent(reason, r -> new LongAdder());
        }
        adder.increment();
    }

    public long drops(String reason) {
        LongAdder adder = drops.get(reason);
        return adder == null ? 0 : adder.sum();
    }

    public DeviceStats.Counters snapshot() {
        Map<String, Long> d = new TreeMap<>();
        drops.forEach((reason, adder) -> d.put(reason, adder.sum()));
        return new DeviceStats.Counters(name, packetsIn.sum(), bytesIn.sum(), packetsOut.sum(), bytesOut.sum(), d);
    }
}
