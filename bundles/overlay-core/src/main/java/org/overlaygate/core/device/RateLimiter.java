package org.overlaygate.core.device;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free, allocation-free rate limit (the generic cell rate algorithm, a token bucket without
 * the bucket): at most {@code perSecond} events a second on average, with bursts of up to
 * {@code burst}. Any thread may ask.
 */
final class RateLimiter {
    private final long intervalNanos;
    private final long toleranceNanos;
    /** The theoretical arrival time of the next event at the average rate. */
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE / 2);

    RateLimiter(int perSecond, int burst) {
        if (perSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.intervalNanos = 1_000_000_000L / perSecond;
        this.toleranceNanos = intervalNanos * (burst - 1);
    }

    boolean tryAcquire(long nowNanos) {
        for (;;) {
            long tat = next.get();
            long start = Math.max(tat, nowNanos);
            if (start - nowNanos > toleranceNanos) {
                return false;
            }
            if (next.compareAndSet(tat, start + intervalNanos)) {
                return true;
            }
        }
    }
}
