package org.overlaygate.api;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class LatencyHistogramTest {
    @Test
    public void durationsLandInTheirBucketsInclusiveOfTheUpperBound() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(50_000);          // 50 us: first bucket (<= 100 us)
        h.record(100_000);         // exactly 100 us: still the first
        h.record(100_001);         // just over: second (<= 250 us)
        h.record(3_000_000);       // 3 ms: <= 5 ms
        h.record(60_000_000_000L); // a minute: +Inf
        h.record(-5);              // a clock step back counts as 0
        LatencyHistogram.Snapshot s = h.snapshot();
        long[] c = s.counts();
        assertEquals(s.upperBounds().length + 1, c.length);
        assertEquals(3, c[0]);
        assertEquals(1, c[1]);
        assertEquals(1, c[5]);
        assertEquals(1, c[c.length - 1]);
        assertEquals(6, s.count());
        assertEquals(60.003250001, s.sumSeconds(), 1e-12);
        assertArrayEquals(new double[] {0.0001, 0.00025}, java.util.Arrays.copyOf(s.upperBounds(), 2), 0);
    }
}
