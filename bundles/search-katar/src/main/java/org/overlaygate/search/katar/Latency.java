package org.overlaygate.search.katar;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram in microseconds: 8 buckets per power of two, so a percentile is
 * within 12.5 % of the truth, from 1 µs to about 70 minutes. Cumulative since it was made.
 */
final class Latency {
    private static final int SUB = 8;
    private static final int SUB_BITS = 3;
    private static final int MAGNITUDES = 32;
    private final AtomicLongArray buckets = new AtomicLongArray(MAGNITUDES * SUB);

    void record(long nanos) {
        buckets.incrementAndGet(index(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos))));
    }

    static int index(long micros) {
        if (micros < SUB) {
            return (int) micros;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(micros); // >= SUB_BITS
        int sub = (int) (micros >>> (magnitude - SUB_BITS)) & (SUB - 1);
        int i = (magnitude - SUB_BITS + 1) * SUB + sub;
        return Math.min(i, MAGNITUDES * SUB - 1);
    }

    /** The upper edge, in microseconds, of bucket {@code i}. */
    static long upperEdge(int i) {
        if (i < SUB) {
            return i;
        }
        int magnitude = i / SUB - 1 + SUB_BITS;
        long base = 1L << magnitude;
        long step = base >>> SUB_BITS;
        return base + (i % SUB + 1) * step - 1;
    }

    long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) {
            n += buckets.get(i);
        }
        return n;
    }

    /** The {@code q}-quantile (0.5, 0.99) in microseconds, or 0 before anything was recorded. */
    long quantileMicros(double q) {
        long n = count();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= rank) {
                return upperEdge(i);
            }
        }
        return upperEdge(buckets.length() - 1);
    }
}
