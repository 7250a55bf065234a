package org.overlaygate.katar.server;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.overlaygate.katar.client.KatarClient;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Svp;
import org.overlaygate.katar.server.store.ImportDocument;

/**
 * Benchmark (not a test): VL2 lookups per second and latency p50/p99 over loopback TCP with 1, 8
 * and 64 concurrent connections, each a closed loop with one request outstanding (as a host that
 * waits for its answer), cache hot (every key cached) and cold (cache off: every lookup reads the
 * database), on the embedded H2 database and on a throw-away PostgreSQL. Client and server share
 * the machine; VS_BASE is each point's throughput over the run's first point. Run with
 * benchmarks/katar/run.sh; -Dbench.seconds=N per point (default 5),
 * -Dbench.mappings=N (default 10000), -Dbench.backends=h2,postgresql.
 */
public final class KatarBench {
    static final long VNET = 42;
    static final long MAC_BASE = 0x020900000000L;

    private KatarBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 5);
        int mappings = Integer.getInteger("bench.mappings", 10_000);
        List<String> backends = Arrays.asList(System.getProperty("bench.backends", "h2,postgresql").split(","));
        System.out.printf(Locale.ROOT, "katar VL2 benchmark: %d mappings, %d s per point, %d cores, %s%n", mappings, seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%-10s %-5s %5s %12s %10s %10s %9s%n", "DATABASE", "CACHE", "CONNS", "LOOKUPS/S", "P50_US", "P99_US",
                "VS_BASE");
        for (String backend : backends) {
            if (backend.equals("h2")) {
                Path dir = Files.createTempDirectory("katar-bench");
                try {
                    run("h2", mappings, seconds, cache -> TestServers.h2(dir, cacheSettings(cache)));
                } finally {
                    TestServers.delete(dir);
                }
            } else if (backend.equals("postgresql")) {
                ThrowawayPostgres pg;
                try {
                    pg = ThrowawayPostgres.startOrSkip(true);
                } catch (org.junit.AssumptionViolatedException e) {
                    System.out.println("postgresql: skipped (" + e.getMessage() + ")");
                    continue;
                }
                try (pg) {
                    run("postgresql", mappings, seconds, cache -> TestServers.jdbc(pg.url(), pg.user(), cacheSettings(cache)));
                }
            }
        }
    }

    /** All connections come from 127.0.0.1: the per-address limit must not be what is measured. */
    static String[] cacheSettings(boolean hot) {
        return hot ? new String[] {"cache.entries", "1000000", "cache.ttl.ms", "3600000", "max.outstanding", "1024", "max.connections.per.address", "1024"}
                : new String[] {"cache.entries", "0", "max.outstanding", "1024", "max.connections.per.address", "1024"};
    }

    interface Settings {
        KatarSettings of(boolean hotCache);
    }

    /**
     * Lookups per second of the run's first point (the first backend, hot cache, one connection):
     * every point is printed as a ratio to it too, since absolute figures depend on the machine.
     */
    static double baseline;

    static void run(String name, int mappings, int seconds, Settings settings) throws Exception {
        boolean populated = false;
        for (boolean hot : new boolean[] {true, false}) {
            try (KatarService s = KatarService.start(settings.of(hot))) {
                if (!populated) {
                    populate(s, mappings);
                    populated = true;
                }
                for (int conns : new int[] {1, 8, 64}) {
                    if (hot) {
                        warm(s, mappings);
                    }
                    measure(s, conns, 1, mappings); // warm-up: JIT, connections
                    Result r = measure(s, conns, seconds, mappings);
                    if (baseline == 0) {
                        baseline = r.perSecond; // the first point of the run: one connection, hot cache
                    }
                    System.out.printf(Locale.ROOT, "%-10s %-5s %5d %12.0f %10.1f %10.1f %8.2fx%n", name, hot ? "hot" : "cold", conns,
                            r.perSecond, r.p50us, r.p99us, r.perSecond / baseline);
                }
            }
        }
    }

    static void populate(KatarService s, int mappings) throws Exception {
        List<ImportDocument.Host> hosts = new ArrayList<>();
        for (int h = 0; h < 100; h++) {
            hosts.add(new ImportDocument.Host("hosts[" + h + "]", "cn" + h, InetAddress.getByName("10.88." + (h / 250) + "." + (h % 250 + 1)), 4789));
        }
        List<ImportDocument.Mapping> maps = new ArrayList<>();
        for (int i = 0; i < mappings; i++) {
            maps.add(new ImportDocument.Mapping("mappings[" + i + "]", VNET, MAC_BASE + i, "cn" + (i % 100), 0, List.of()));
        }
        s.store().importDocument(new ImportDocument(List.of(), hosts, maps));
    }

    static void warm(KatarService s, int mappings) throws Exception {
        try (KatarClient c = KatarClient.connect(s.address())) {
            for (int i = 0; i < mappings; i++) {
                if (c.vl2(VNET, MAC_BASE + i).get(10, TimeUnit.SECONDS).status() != Svp.STATUS_OK) {
                    throw new IllegalStateException("mapping " + i + " missing");
                }
            }
        }
    }

    record Result(double perSecond, double p50us, double p99us) {
    }

    /** Per connection: a closed loop, the next request sent from the reply's callback. */
    static Result measure(KatarService s, int conns, int seconds, int mappings) throws Exception {
        List<KatarClient> clients = new ArrayList<>();
        long[][] samples = new long[conns][];
        int[] counts = new int[conns];
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(conns);
        int capacity = 4_000_000 / conns + 1000;
        try {
            for (int c = 0; c < conns; c++) {
                clients.add(KatarClient.connect(s.address(), 5000, KatarClient.DEFAULT_MAX_REPLY, 16));
                samples[c] = new long[capacity];
            }
            long start = System.nanoTime();
            for (int c = 0; c < conns; c++) {
                int conn = c;
                next(clients.get(c), conn, samples, counts, running, done, mappings);
            }
            Thread.sleep(seconds * 1000L);
            running.set(false);
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connections did not finish");
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            int total = 0;
            for (int n : counts) {
                total += n;
            }
            long[] all = new long[total];
            int at = 0;
            for (int c = 0; c < conns; c++) {
                System.arraycopy(samples[c], 0, all, at, counts[c]);
                at += counts[c];
            }
            Arrays.sort(all);
            return new Result(total / elapsed, all[(int) (total * 0.50)] / 1e3, all[Math.min(total - 1, (int) (total * 0.99))] / 1e3);
        } finally {
            clients.forEach(KatarClient::close);
        }
    }

    private static void next(KatarClient client, int conn, long[][] samples, int[] counts, AtomicBoolean running, CountDownLatch done,
            int mappings) {
        if (!running.get() || counts[conn] == samples[conn].length) {
            done.countDown();
            return;
        }
        long mac = MAC_BASE + ThreadLocalRandom.current().nextInt(mappings);
        long t0 = System.nanoTime();
        client.vl2(VNET, mac).whenComplete((ack, error) -> {
            if (error != null || ack.status() != Svp.STATUS_OK) {
                System.err.println("lookup failed: " + (error != null ? error : Svp.statusName(ack.status())));
                done.countDown();
                return;
            }
            samples[conn][counts[conn]++] = System.nanoTime() - t0;
            next(client, conn, samples, counts, running, done, mappings);
        });
    }
}
