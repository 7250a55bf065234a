package org.overlaygate.core.device;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.TargetEntry;

/**
 * The target cache lookup alone, as the transmit path does it (the entry and its state). In
 * overlay-core's package because the cache is not public; on the class path that is allowed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheLookupBenchmark {
    private static final int ENTRIES = 4096;
    private TargetCache cache;
    private long[] macs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        cache = new TargetCache(65536);
        macs = new long[ENTRIES];
        UnderlayAddress dest = UnderlayAddress.parse("10.0.0.2:4789");
        for (int i = 0; i < ENTRIES; i++) {
            macs[i] = 0x0200_0010_0000L + i * 7919L;
            CacheEntry e = new CacheEntry(macs[i], CacheEntry.VALID, TargetEntry.Origin.LOOKUP, 0);
            e.destinations = new UnderlayAddress[] {dest};
            cache.put(e);
        }
    }

    @Benchmark
    public Object cacheLookup() {
        CacheEntry e = cache.get(macs[next++ & (ENTRIES - 1)]);
        return e.state == CacheEntry.VALID ? e.destinations : null;
    }
}
