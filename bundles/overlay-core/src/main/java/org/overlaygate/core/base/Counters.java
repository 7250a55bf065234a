package org.overlaygate.core.base;

import java.util.HashMap;
import java.util.Map;
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
    private final Tally drops = new Tally();

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

    /** Several packets out at once (the segments of one coalesced frame). */
    public void out(int packets, long bytes) {
        packetsOut.add(packets);
        bytesOut.add(bytes);
    }

    public void drop(String reason) {
        drops.increment(reason);
    }

    public void drop(String reason, int frames) {
        drops.add(reason, frames);
    }

    public long drops(String reason) {
        return drops.get(reason);
    }

    public long packetsOut() {
        return packetsOut.sum();
    }

    public long packetsIn() {
        return packetsIn.sum();
    }

    /** The snapshot with {@code extra} more drops under {@code reason}: drops counted elsewhere (by the OS side of a port). */
    public DeviceStats.Counters snapshotWith(String reason, long extra) {
        DeviceStats.Counters c = snapshot();
        if (extra == 0) {
            return c;
        }
        Map<String, Long> drops = new HashMap<>(c.drops());
        drops.merge(reason, extra, Long::sum);
        return new DeviceStats.Counters(c.name(), c.packetsIn(), c.bytesIn(), c.packetsOut(), c.bytesOut(), drops);
    }

    public DeviceStats.Counters snapshot() {
        return new DeviceStats.Counters(name, packetsIn.sum(), bytesIn.sum(), packetsOut.sum(), bytesOut.sum(), drops.snapshot());
    }
}
