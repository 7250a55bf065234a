package org.overlaygate.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;
import org.overlaygate.testsupport.ThreadScheduling;

/**
 * System test (root, ip, iperf3): two appliances, each in a host namespace of its own joined by a
 * veth pair, one with every offload (recvmmsg/sendmmsg, UDP GRO and GSO, forced with
 * {@code +udp_gso} since a veth completes no checksums, TSO from and coalesced writes to its TAP)
 * and one with none ({@code overlaygate.core.offloads=none} in its
 * etc/config.properties), the first also with its light path at real-time priority
 * ({@code realtimePriority=1}: its light flows' TAP queue has a reader of its own). TCP runs both ways between their TAP VNICs: iperf3, and a transfer of
 * 64 MiB of random bytes whose SHA-256 must arrive unchanged (a coalesced frame's checksum is left
 * to the receiving stack to complete, not to check, so a mistake in putting segments together would
 * otherwise go unnoticed). overlay:stats shows each side's offloads as they are.
 */
public class OffloadMixIT {
    private static final int VNI = 4343;
    private static final int TRANSFER_BYTES = 64 << 20;

    @Test
    public void tcpBothWaysBetweenAnApplianceWithEveryOffloadAndOneWithNone() throws Exception {
        SystemTests.assumeSystem("OffloadMixIT", "ping", "iperf3", "ss");
        int net = SystemTests.subnet();
        String[] underlay = {"10.196." + net + ".1", "10.196." + net + ".2"};
        String[] overlay = {"192.168.82.1", "192.168.82.2"};
        try (Netns h0 = Netns.create("ogmix0"); Netns h1 = Netns.create("ogmix1"); Distribution on = Distribution.copy();
                Distribution off = Distribution.copy()) {
            Netns.run("ip", "link", "add", "eth0", "netns", h0.name(), "type", "veth", "peer", "name", "eth0", "netns", h1.name()).check();
            Netns[] hosts = {h0, h1};
            Distribution[] appliances = {on, off};
            Path config = off.home.resolve("etc/config.properties");
            String properties = Files.readString(config, StandardCharsets.UTF_8);
            assertTrue(properties.contains("overlaygate.core.offloads=all"));
            Files.writeString(config, properties.replace("overlaygate.core.offloads=all", "overlaygate.core.offloads=none"));
            // Over a veth udp_gso is off by default (nothing completes its partial checksums); two kernels take them: forced here.
            Path onConfig = on.home.resolve("etc/config.properties");
            // ... and its light path at real-time priority: a second reader for the TAP's first queue, which
            // the frames of everything below pass through until their flows turn heavy (the ping all along)
            assertTrue(properties.contains("overlaygate.core.realtimePriority=0"));
            Files.writeString(onConfig, properties.replace("overlaygate.core.offloads=all", "overlaygate.core.offloads=+udp_gso")
                    .replace("overlaygate.core.realtimePriority=0", "overlaygate.core.realtimePriority=1"));
            for (int i = 0; i < 2; i++) {
                hosts[i].exec("ip", "addr", "add", underlay[i] + "/24", "dev", "eth0").check();
                hosts[i].exec("ip", "link", "set", "eth0", "up").check();
                appliances[i].startIn(hosts[i]);
            }
            for (int i = 0; i < 2; i++) {
                Distribution d = appliances[i];
                d.awaitReady(60_000);
                d.adm("overlay:create", "-e", "vxlan", "-s", "direct", "-v", Integer.toString(VNI), "-p", "vxlan/listen_ip=" + underlay[i],
                        "-p", "direct/dest_ip=" + underlay[1 - i], "-p", "direct/dest_port=4789", "ovl");
                d.adm("vnic:create", "-l", "ovl", "-t", "vm0", "vnic");
                hosts[i].exec("ip", "addr", "add", overlay[i] + "/24", "dev", "vm0").check();
                hosts[i].exec("ip", "link", "set", "vm0", "up").check();
            }
            String onStats = on.adm("overlay:stats");
            String offStats = off.adm("overlay:stats");
            for (String feature : new String[] {"mmsg", "udp_gro", "udp_gso"}) {
                assertTrue(onStats, onStats.matches("(?s).*vxlan udp " + underlay[0] + ":4789\\s+" + feature + "\\s+on\\n.*"));
                assertTrue(offStats, offStats.matches("(?s).*vxlan udp " + underlay[1] + ":4789\\s+" + feature
                        + "\\s+off: off by setting overlaygate.core.offloads\\n.*"));
            }
            for (String feature : new String[] {"tap_tso", "tap_gro"}) {
                assertTrue(onStats, onStats.matches("(?s).*vnic\\s+" + feature + "\\s+on\\n.*"));
                assertTrue(offStats, offStats.matches("(?s).*vnic\\s+" + feature + "\\s+off: off by setting overlaygate.core.offloads\\n.*"));
            }
            // multi-queue TAPs (etc/config.properties: 8) on both sides, with and without a vnet header
            assertTrue(onStats, onStats.matches("(?s).*vnic\\s+tap_mq\\s+on: 8 queues\\n.*"));
            assertTrue(offStats, offStats.matches("(?s).*vnic\\s+tap_mq\\s+on: 8 queues\\n.*"));
            Netns.Result ping = h0.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", overlay[1]);
            assertEquals(ping.toString(), 0, ping.exitCode);
            assertLightPathThreads(on, "SCHED_FIFO 1");
            assertLightPathThreads(off, "SCHED_OTHER 0");

            long toOff = iperf(h0, h1, overlay[1], false);
            long toOn = iperf(h0, h1, overlay[1], true);
            System.out.printf("OffloadMixIT: iperf3 TCP, offloads on -> off %.0f Mbit/s, off -> on %.0f Mbit/s%n", toOff / 1e6, toOn / 1e6);

            transfer(h0, h1, overlay[1]);
            transfer(h1, h0, overlay[0]);
        }
    }

    /**
     * The appliance's light flows' TAP reader ("og-vnic-light", only with a real-time priority) and
     * its first receiving socket's thread are scheduled {@code expected} (policy and priority, from
     * /proc), and the reader of the TAP's other queues is SCHED_OTHER.
     */
    private static void assertLightPathThreads(Distribution d, String expected) throws IOException {
        long pid = Long.parseLong(Files.readString(d.pidFile()).trim());
        java.util.Map<String, String> threads = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                threads.put(Files.readString(t.resolve("comm")).trim() + " " + t.getFileName(), ThreadScheduling.of(t));
            }
        }
        boolean realtime = expected.startsWith("SCHED_FIFO");
        assertEquals("a light flows' reader only with a real-time priority: " + threads, realtime,
                threads.keySet().stream().anyMatch(t -> t.startsWith("og-vnic-light")));
        threads.forEach((thread, scheduling) -> {
            if (thread.startsWith("og-vnic-light")) {
                assertEquals(thread, expected, scheduling);
            } else if (thread.startsWith("og-vnic")) {
                assertEquals(thread + " (the other queues' reader)", realtime ? "SCHED_OTHER 0" : expected, scheduling);
            }
        });
        assertTrue("receive threads at " + expected + " (the small datagrams'): " + threads,
                threads.entrySet().stream().anyMatch(e -> e.getKey().startsWith("og-underlay") && e.getValue().equals(expected)));
    }

    /** iperf3 TCP for 3 s from a to b's address (reversed: b sends); the bits per second received, at least 100 Mbit/s. */
    private static long iperf(Netns a, Netns b, String server, boolean reverse) throws Exception {
        File log = File.createTempFile("iperf3-server", ".log");
        try {
            b.start(log, "iperf3", "-s", "-1", "-B", server);
            SystemTests.awaitListening(b, 5201);
            Netns.Result r = reverse ? a.exec(60_000, "iperf3", "-c", server, "-t", "3", "-R", "-J")
                    : a.exec(60_000, "iperf3", "-c", server, "-t", "3", "-J");
            assertEquals(r.toString() + Files.readString(log.toPath()), 0, r.exitCode);
            Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)").matcher(r.output);
            assertTrue(r.output, m.find());
            long bps = (long) Double.parseDouble(m.group(1));
            assertTrue("TCP through the overlay at " + bps + " bit/s", bps > 100_000_000L);
            return bps;
        } finally {
            log.delete();
        }
    }

    /**
     * 64 MiB of seeded random bytes over TCP from {@code from} to {@code to}'s address: the SHA-256
     * received must be the one sent. The sockets are opened inside the namespaces and then used
     * from the test's threads.
     */
    private static void transfer(Netns from, Netns to, String address) throws Exception {
        InetSocketAddress at = new InetSocketAddress(address, 5202);
        try (ServerSocketChannel server = to.call(() -> ServerSocketChannel.open().bind(at));
                SocketChannel client = from.call(SocketChannel::open)) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel peer = server.accept()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                    long total = 0;
                    while (peer.read(buf.clear()) >= 0) {
                        sha.update(buf.array(), 0, buf.position());
                        total += buf.position();
                    }
                    assertEquals(TRANSFER_BYTES, total);
                    return sha.digest();
                } catch (IOException | java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.connect(at);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Random random = new Random(address.hashCode());
            byte[] chunk = new byte[1 << 16];
            for (int sent = 0; sent < TRANSFER_BYTES; sent += chunk.length) {
                random.nextBytes(chunk);
                sha.update(chunk);
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    client.write(b);
                }
            }
            client.shutdownOutput();
            assertArrayEquals("64 MiB arrive unchanged " + from + " -> " + to, sha.digest(), received.get(60, TimeUnit.SECONDS));
        }
    }
}
