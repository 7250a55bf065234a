package org.overlaygate.api;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted into fixed buckets, for metrics: {@link #record} is thread-safe, takes no lock
 * and allocates nothing; {@link #snapshot} copies. The buckets suit lookups and requests that take
 * from a tenth of a millisecond to seconds.
 */
public final class LatencyHistogram {
    /** Upper bounds of the buckets, in seconds; one more bucket holds everything longer. */
    private static final double[] BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10};

    private final long[] boundNanos = new long[BOUNDS.length];
    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < BOUNDS.length; i++) {
            boundNanos[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    /** Counts one duration, in nanoseconds (negative ones count as 0). */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        int i = 0;
        while (i < boundNanos.length && n > boundNanos[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sumNanos.add(n);
    }

    public Snapshot snapshot() {
        long[] c = new long[counts.length()];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts.get(i);
        }
        return new Snapshot(BOUNDS.clone(), c, sumNanos.sum() / 1e9);
    }

    /** The counts at one moment. Immutable. */
    public static final class Snapshot {
        private final double[] upperBounds;
        private final long[] counts;
        private final double sumSeconds;

        public Snapshot(double[] upperBounds, long[] counts, double sumSeconds) {
            if (counts.length != upperBounds.length + 1) {
                throw new IllegalArgumentException("one count per bound and one for +Inf");
            }
            this.upperBounds = upperBounds.clone();
            this.counts = counts.clone();
            this.sumSeconds = sumSeconds;
        }

        /** Upper bounds in seconds, ascending; the last bucket (+Inf) has none. */
        public double[] upperBounds() {
            return upperBounds.clone();
        }

        /** Durations in each bucket (not cumulative): one per bound, then those longer than the last. */
        public long[] counts() {
            return counts.clone();
        }

        public double sumSeconds() {
            return sumSeconds;
        }

        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }
    }
}
