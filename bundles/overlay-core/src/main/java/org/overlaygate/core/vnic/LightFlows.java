package org.overlaygate.core.vnic;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Which TAP queue a frame written to a multi-queue TAP goes through, so that light flows (a ping,
 * an ssh session, a client's small queries) never share a queue with a heavy one.
 *
 * <p>Why the write side decides: the kernel sends the frames a VM's stack sends for a flow through
 * the queue that flow's frames were last written by (tun's flow table, learned from writes;
 * {@code tun_automq_select_queue}), and only falls back to a hash over all queues for a flow it
 * has not seen written. Written by the hash alone, a ping shared the queue of a TCP stream the VM
 * sent one time in eight (with 8 queues) and then waited behind the stream's queued 64 KiB segments.
 * So here every flow the VNIC writes is weighed: a flow that was written more than
 * {@value #HEAVY_WEIGHT} units in a {@value #WINDOW_MILLIS} ms window (a frame is one unit, and one
 * more for each 2 KiB of it: a TCP stream's ACKs, or its coalesced segments) is heavy for the next
 * second and goes through one of queues 1 to n-1 by its hash; any other goes through queue 0, which
 * light flows share. A ping (one frame per 10 ms), an interactive session or a few hundred small
 * queries a second stay light.
 *
 * <p>What it does not cover: a flow the VNIC never writes to (one-way UDP from the VM) still takes
 * the kernel's hash over all queues; a flow is light while it starts (a stream's first ACKs), and
 * a flow that turns heavy moves queue once, so that frames the VM queued just before may be read
 * after its later ones (TCP takes that as reordering, once).
 *
 * <p>The table has {@value #SLOTS} slots indexed by the flow hash; a slot taken by another flow
 * starts over. Several threads write to one VNIC (each underlay socket's): they share the table
 * without locks, and a race only misweighs a flow for a moment. Nothing is allocated per frame.
 */
final class LightFlows {
    /** The queue light flows share. */
    static final int LIGHT_QUEUE = 0;
    static final int SLOTS = 1024;
    static final int WINDOW_MILLIS = 10;
    static final int HEAVY_WEIGHT = 32;
    static final long HEAVY_FOR_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS);

    private final int queues;
    private final LongSupplier clock;
    private final int[] hashes = new int[SLOTS];
    private final int[] weights = new int[SLOTS];
    private final long[] windowStarts = new long[SLOTS];
    private final long[] heavyUntil = new long[SLOTS];

    /** For a TAP of {@code queues} (2 or more), with the clock in nanoseconds. */
    LightFlows(int queues, LongSupplier clock) {
        if (queues < 2) {
            throw new IllegalArgumentException("light flows need two queues or more, not " + queues);
        }
        this.queues = queues;
        this.clock = clock;
    }

    /** The queue for a frame of {@code bytes} of the flow of {@code hash}, counting it. */
    int queueFor(int hash, long bytes) {
        long now = clock.getAsLong();
        int slot = hash & (SLOTS - 1);
        if (hashes[slot] != hash) {
            hashes[slot] = hash;
            weights[slot] = 0;
            windowStarts[slot] = now;
            heavyUntil[slot] = now; // light
        } else if (now - windowStarts[slot] >= WINDOW_NANOS) {
            weights[slot] = 0;
            windowStarts[slot] = now;
        }
        int weight = weights[slot] + 1 + (int) Math.min(bytes >>> 11, HEAVY_WEIGHT);
        weights[slot] = weight;
        if (weight > HEAVY_WEIGHT) {
            heavyUntil[slot] = now + HEAVY_FOR_NANOS;
        }
        return heavyUntil[slot] - now > 0 ? 1 + Math.floorMod(hash, queues - 1) : LIGHT_QUEUE;
    }
}
