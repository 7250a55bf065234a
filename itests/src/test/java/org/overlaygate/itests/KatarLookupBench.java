package org.overlaygate.itests;

import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.MemoryPort;
import org.overlaygate.api.datapath.OverlayDevice;

/**
 * Benchmark, not a test (its name keeps it out of {@code mvn verify}; {@code benchmarks/katar/client.sh}
 * runs it): one appliance, two katar overlays on 127.0.0.1 and 127.0.0.2 with in-memory VNICs, and
 * the katar server bundle beside them with a warm read cache.
 *
 * <ul>
 * <li>first-packet latency: the destination's cache entry is removed, one frame is sent, the time
 * until it is delivered at the other VNIC is the miss, the upcall, varpd, the plugin, the katar
 * round trip, the answer and the delivery; p50/p99 over 2000 frames, beside the same frame on a
 * cache hit;</li>
 * <li>lookups per second: waves of 1000 frames to 1000 distinct MACs the cache does not hold (the
 * per-device upcall share is 1024), timed from the first send until every frame waited on an entry
 * that was answered.</li>
 * </ul>
 * Prints {@code BENCH ...} lines. Run it alone on a quiet machine.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KatarLookupBench {
    static final long MAC_A = 0x020820000a01L;
    static final long MAC_B = 0x020820000b01L;
    static final long FAR = 0x020821000000L;
    static final int FAR_COUNT = 20_000;
    static final int VNET = 4343;

    @Inject
    private BundleContext context;
    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() throws Exception {
        int katar;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            katar = s.getLocalPort();
        }
        int vxlan;
        try (DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            vxlan = ((InetSocketAddress) a.getLocalAddress()).getPort();
        }
        return options(ExamOptions.base(Files.createTempDirectory("og-plugins.d")), ExamOptions.dataPath(),
                ExamOptions.reactorBundle("encap-vxlan"), ExamOptions.reactorBundle("search-katar"),
                ExamOptions.katarServer(katar, Files.createTempDirectory("og-data")),
                frameworkProperty("overlaygate.katar.cache.ttl.ms").value("3600000"), // warm means warm
                org.ops4j.pax.exam.CoreOptions.systemProperty("og.bench.ports").value(katar + "," + vxlan),
                frameworkProperty("felix.cm.dir").value(Files.createTempDirectory("og-config").toString()));
    }

    private static int port(int i) {
        return Integer.parseInt(System.getProperty("og.bench.ports").split(",")[i]);
    }

    @Test
    public void firstPacketLatencyAndLookupsPerSecond() throws Exception {
        Shell shell = new Shell(processor);
        shell.await("katar:show server", o -> o.lines().anyMatch(l -> l.matches("\\S+\\s+online\\s.*")), 30_000, "katar online");
        StringBuilder doc = new StringBuilder("{\"vnets\":[{\"id\":" + VNET + "}],\"hosts\":[{\"id\":\"cn-a\",\"ip\":\"127.0.0.1\",\"port\":"
                + port(1) + "},{\"id\":\"cn-b\",\"ip\":\"127.0.0.2\",\"port\":" + port(1) + "}],\"mappings\":[");
        doc.append("{\"vnet\":" + VNET + ",\"mac\":\"" + MacAddress.format(MAC_A) + "\",\"host\":\"cn-a\"},");
        doc.append("{\"vnet\":" + VNET + ",\"mac\":\"" + MacAddress.format(MAC_B) + "\",\"host\":\"cn-b\"}");
        for (int i = 0; i < FAR_COUNT; i++) {
            doc.append(",{\"vnet\":" + VNET + ",\"mac\":\"" + MacAddress.format(FAR + i) + "\",\"host\":\"cn-b\"}");
        }
        Path file = Files.createTempFile("bench-mappings", ".json");
        Files.writeString(file, doc.append("]}").toString());
        System.out.println("BENCH setup: " + shell.run("katar:import " + file).trim());
        shell.await("overlay:plugins", o -> o.contains("katar") && o.contains("vxlan"), 20_000, "plugins");
        String common = " -e vxlan -s katar -v " + VNET + " -p katar/host=127.0.0.1 -p katar/port=" + port(0) + " -p vxlan/listen_port="
                + port(1);
        shell.run("overlay:create" + common + " -p vxlan/listen_ip=127.0.0.1 ovla");
        shell.run("overlay:create" + common + " -p vxlan/listen_ip=127.0.0.2 ovlb");
        shell.run("vnic:create -l ovla -k memory -m " + MacAddress.format(MAC_A) + " vnica");
        shell.run("vnic:create -l ovlb -k memory -m " + MacAddress.format(MAC_B) + " vnicb");
        shell.await("overlay:show -f -p -o link,status", "ovla:ONLINE\novlb:ONLINE\n"::equals, 20_000, "ONLINE");
        shell.await("overlay:stats ovla", o -> o.lines().anyMatch(l -> l.matches("ovla\\s+katar/bulk_runs\\s+1")), 20_000, "BULK done");
        DataPath dp = Traffic.dataPath(context);
        OverlayDevice ovla = dp.device("ovla").orElseThrow();
        MemoryPort a = dp.memoryPort("vnica").orElseThrow();
        MemoryPort b = dp.memoryPort("vnicb").orElseThrow();

        // Warm-up: the JIT, the server's read cache (every VL2 answer asked once), the connection.
        lookupWaves(ovla, a, FAR_COUNT / 1000, 1000);
        firstPackets(ovla, a, b, 500, true);
        firstPackets(ovla, a, b, 500, false);

        long[] hit = firstPackets(ovla, a, b, 2000, false);
        long[] miss = firstPackets(ovla, a, b, 2000, true);
        System.out.printf("BENCH first-packet latency (miss to delivery, warm server): p50 %d us, p99 %d us, max %d us;"
                + " the same frame on a cache hit: p50 %d us, p99 %d us (2000 frames each); miss/hit p50 %.1fx%n",
                quantile(miss, 0.5), quantile(miss, 0.99), miss[miss.length - 1], quantile(hit, 0.5), quantile(hit, 0.99),
                (double) quantile(miss, 0.5) / Math.max(1, quantile(hit, 0.5)));

        double perSecond = lookupWaves(ovla, a, FAR_COUNT / 1000, 1000);
        System.out.printf("BENCH lookups per second one appliance drives (waves of 1000 misses to distinct MACs, one katar"
                + " connection, warm server): %.0f%n", perSecond);
        System.out.println("BENCH plugin counters: " + shell.run("overlay:stats ovla").lines()
                .filter(l -> l.contains("katar/lookup") || l.contains("katar/connects")).map(String::trim).toList());
    }

    /** Microseconds from send to delivery of {@code n} frames A -> B, sorted; each a miss when {@code miss}. */
    private static long[] firstPackets(OverlayDevice ovla, MemoryPort a, MemoryPort b, int n, boolean miss) throws Exception {
        long[] us = new long[n];
        for (int i = 0; i < n; i++) {
            if (miss) {
                ovla.invalidate(MAC_B);
            }
            long t0 = System.nanoTime();
            a.send(ByteBuffer.wrap(Traffic.frame(MAC_B, MAC_A, i, 100)));
            byte[] got = b.receive(10, TimeUnit.SECONDS);
            long t1 = System.nanoTime();
            if (got == null) {
                throw new AssertionError("frame " + i + " not delivered within 10 s");
            }
            us[i] = TimeUnit.NANOSECONDS.toMicros(t1 - t0);
        }
        Arrays.sort(us);
        return us;
    }

    /** Sends waves of misses to distinct MACs and returns lookups answered per second. */
    private static double lookupWaves(OverlayDevice ovla, MemoryPort a, int waves, int size) throws Exception {
        long total = 0;
        long count = 0;
        for (int w = 0; w < waves; w++) {
            ovla.flushTargets();
            long t0 = System.nanoTime();
            for (int i = 0; i < size; i++) {
                a.send(ByteBuffer.wrap(Traffic.frame(FAR + (long) w * size + i, MAC_A, i, 100)));
            }
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (ovla.stats().pendingFrames() > 0) { // every frame sent once its entry is answered
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("wave " + w + ": frames still wait after 30 s");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
            total += System.nanoTime() - t0;
            long valid = answered(ovla);
            if (valid < size) {
                throw new AssertionError("wave " + w + ": only " + valid + " of " + size + " lookups answered");
            }
            count += size;
        }
        return count / (total / 1e9);
    }

    /** The q-quantile of sorted values. */
    private static long quantile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static long answered(OverlayDevice d) {
        return d.targets().stream().filter(e -> e.state() == org.overlaygate.api.datapath.TargetEntry.State.VALID).count();
    }
}
