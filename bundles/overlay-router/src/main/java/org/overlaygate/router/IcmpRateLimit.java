package org.overlaygate.router;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket for the ICMP errors one router sends, as Linux's {@code icmp_global_allow}
 * ({@code net.ipv4.icmp_msgs_per_sec} 1000, {@code icmp_msgs_burst} 50): tokens come back at a
 * steady rate up to the burst. Lock-free and allocation-free; one CAS per error.
 */
final class IcmpRateLimit {
    static final int PER_SECOND = 1000;
    static final int BURST = 50;

    private final LongSupplier clock;
    private final long nanosPerToken;
    private final long capacityNanos;
    /** The time at which the bucket would be empty: now - stamp is the credit, capped at the burst. */
    private final AtomicLong emptyAt;

    IcmpRateLimit(LongSupplier nanoClock, int perSecond, int burst) {
        this.clock = nanoClock;
        this.nanosPerToken = 1_000_000_000L / perSecond;
        this.capacityNanos = nanosPerToken * burst;
        this.emptyAt = new AtomicLong(nanoClock.getAsLong() - capacityNanos);
    }

    /** Takes a token if there is one. */
    boolean allow() {
        long now = clock.getAsLong();
        while (true) {
            long stamp = emptyAt.get();
            long base = Math.max(stamp, now - capacityNanos);
            long next = base + nanosPerToken;
            if (next > now) {
                return false;
            }
            if (emptyAt.compareAndSet(stamp, next)) {
                return true;
            }
        }
    }
}
