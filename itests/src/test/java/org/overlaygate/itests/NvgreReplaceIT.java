package org.overlaygate.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.MemoryPort;

/**
 * NVGRE through the real bundles: the encap-nvgre plugin dropped into plugins.d, two NVGRE overlays
 * of one appliance joined over loopback (raw IP protocol 47, so this needs root: it skips, saying
 * so, otherwise), exact frames both ways; then the plugin is replaced by a newer build in
 * plugins.d while frames to a cached destination flow, and not one is lost.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NvgreReplaceIT {
    private static final long MAC_A = 0x020000000011L;
    private static final long MAC_B = 0x020000000022L;

    @Inject
    private BundleContext context;
    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() throws Exception {
        return options(ExamOptions.base(Files.createTempDirectory("og-plugins.d")), ExamOptions.dataPath(),
                ExamOptions.reactorBundle("search-direct"), ExamOptions.bundlePath("encap-nvgre"),
                frameworkProperty("felix.cm.dir").value(Files.createTempDirectory("og-config").toString()));
    }

    private static boolean isRoot() throws Exception {
        return Files.readAllLines(Paths.get("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .anyMatch(l -> l.split("\\s+")[2].equals("0"));
    }

    @Test
    public void nvgreCarriesExactFramesAndSurvivesThePluginsReplacementWithoutLoss() throws Exception {
        boolean root = isRoot();
        if (!root) {
            System.out.println("SKIPPED NvgreReplaceIT: needs root (CAP_NET_RAW) for raw IP protocol 47 sockets");
        }
        Assume.assumeTrue("NvgreReplaceIT needs root for raw sockets", root);
        Shell shell = new Shell(processor);
        Path plugins = Paths.get(context.getProperty("felix.fileinstall.dir"));
        Path built = Paths.get(ExamOptions.prop("og.bundle.encap-nvgre"));
        PluginJars.drop(built, plugins, "encap-nvgre.jar");
        shell.await("overlay:plugins", o -> o.contains("encap  nvgre") || o.lines().anyMatch(l -> l.matches("encap\\s+nvgre\\s+ip/47.*ACTIVE")),
                5000, "nvgre installed from plugins.d");
        shell.run("overlay:create -e nvgre -s direct -v 5001 -p nvgre/listen_ip=127.0.0.1 -p direct/dest_ip=127.0.0.2 nva");
        shell.run("overlay:create -e nvgre -s direct -v 5001 -p nvgre/listen_ip=127.0.0.2 -p direct/dest_ip=127.0.0.1 nvb");
        shell.run("vnic:create -l nva -k memory -m " + MacAddress.format(MAC_A) + " va");
        shell.run("vnic:create -l nvb -k memory -m " + MacAddress.format(MAC_B) + " vb");
        ServiceTracker<DataPath, DataPath> tracker = new ServiceTracker<>(context, DataPath.class, null);
        tracker.open();
        DataPath dp = tracker.waitForService(10_000);
        MemoryPort a = dp.memoryPort("va").orElseThrow();
        MemoryPort b = dp.memoryPort("vb").orElseThrow();

        for (int i = 0; i < 50; i++) {
            byte[] ab = Traffic.frame(MAC_B, MAC_A, i, 40 + i * 27);
            a.send(ByteBuffer.wrap(ab));
            assertArrayEquals("a->b " + i, ab, b.receive(5, TimeUnit.SECONDS));
            byte[] ba = Traffic.frame(MAC_A, MAC_B, i, 1444 - i);
            b.send(ByteBuffer.wrap(ba));
            assertArrayEquals("b->a " + i, ba, a.receive(5, TimeUnit.SECONDS));
        }

        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    a.send(ByteBuffer.wrap(Traffic.frame(MAC_B, MAC_A, sent.get(), 200)));
                    sent.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "nvgre-sender");
        int received = 0;
        sender.start();
        try {
            received = drainUntil(b, received, 100); // traffic flows before the replacement
            PluginJars.drop(PluginJars.withVersion(built, "9.0.0", Files.createTempDirectory("og-build")), plugins, "encap-nvgre.jar");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!shell.run("overlay:plugins").lines().anyMatch(l -> l.matches("encap\\s+nvgre\\s+ip/47.*9\\.0\\.0\\s+ACTIVE"))) {
                received = drain(b, received, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
                assertTrue("the new nvgre was not active within 10 s", System.nanoTime() < deadline);
            }
            received = drainUntil(b, received, received + 100); // and after it, on the new version
        } finally {
            sender.interrupt();
            sender.join(5000);
        }
        received = drainUntil(b, received, sent.get()); // what was in flight when the sender stopped
        assertEquals(null, failure.get());
        assertEquals("every frame sent across the replacement arrived, in order", sent.get(), received);
        assertEquals("nva:ONLINE\nnvb:ONLINE\n", shell.run("overlay:show -f -p -o link,status"));
        tracker.close();
    }

    /**
     * Receives, checking sequence numbers, until the next expected one is {@code target}: a
     * condition, not a duration; fails if it does not come within 10 s. Returns the next expected.
     */
    private static int drainUntil(MemoryPort port, int expected, int target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (expected < target) {
            assertTrue("frames stopped flowing at " + expected + " of " + target, System.nanoTime() < deadline);
            expected = drain(port, expected, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
        }
        return expected;
    }

    /** Receives until the deadline, checking sequence numbers; returns the next expected one. */
    private static int drain(MemoryPort port, int expected, long deadlineNanos) throws InterruptedException {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            byte[] f = left > 0 ? port.receive(left, TimeUnit.NANOSECONDS) : port.receive(0, TimeUnit.NANOSECONDS);
            if (f == null) {
                return expected;
            }
            int seq = ByteBuffer.wrap(f).getInt(14);
            assertEquals("frame order across the replacement", expected, seq);
            expected++;
        }
    }
}
