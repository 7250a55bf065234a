package org.overlaygate.benchmarks;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link PacketPathBenchmark}, the target cache lookup benchmark and the offloaded paths'
 * benchmark (segmenting a 64 KiB frame into a send batch, coalescing 49 received segments) with the
 * GC profiler and prints, per benchmark, ns/op, bytes
 * allocated per op, and the time as a ratio of the baseline measured in the same run (a boxed-key
 * ConcurrentHashMap lookup). Extra arguments are JMH options ({@code -f 2 -wi 5}).
 */
public final class PacketPathReport {
    private PacketPathReport() {
    }

    public static void main(String[] args) throws Exception {
        Options options = new OptionsBuilder().parent(new CommandLineOptions(args)).include(PacketPathBenchmark.class.getSimpleName())
                .include("CacheLookupBenchmark").include("OffloadBenchmark").include("RoutingBenchmark")
                .addProfiler(GCProfiler.class).build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> rows = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            rows.put(name, new double[] {r.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore()});
        }
        double[] base = rows.get("baselineBoxedLookup");
        System.out.println();
        System.out.printf(Locale.ROOT, "%-22s %10s %10s %22s%n", "BENCHMARK", "ns/op", "B/op", "ratio to baseline ns/op");
        rows.forEach((name, v) -> System.out.printf(Locale.ROOT, "%-22s %10.2f %10.3f %22.2f%n", name, v[0], v[1],
                base == null ? Double.NaN : v[0] / base[0]));
        System.out.println("(baseline: ConcurrentHashMap<Long,...>.get, the obvious JDK way to key by MAC, 24 B/op of boxing;"
                + " the hit path, segment64KiB, coalesce49Segments, routeIpv4 and routeIpv6 must allocate 0 B/op;"
                + " baselineCopy: the copy of a 1400-byte frame any forwarding makes)");
    }
}
