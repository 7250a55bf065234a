package org.overlaygate.core.os;

import org.overlaygate.testsupport.Netns;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.Test;

/**
 * A PcapPort on the root end of a veth pair whose other end is in a test namespace. Needs root and
 * {@code ip} (skipped with the reason otherwise).
 */
public class PcapPortTest {
    static final long PEER_MAC = 0x02_0a_0b_0c_0d_feL;
    static final int MARKER_ETHERTYPE = 0x88B5; // IEEE 802 local experimental ethertype 1

    static long readMac(Netns ns, String dev) throws Exception {
        String text = ns == null ? java.nio.file.Files.readString(java.nio.file.Path.of("/sys/class/net/" + dev + "/address"))
                : ns.exec("cat", "/sys/class/net/" + dev + "/address").check().output;
        return org.overlaygate.api.MacAddress.parse(text.trim());
    }

    static long rxPackets(Netns ns, String dev) throws Exception {
        return Long.parseLong(ns.exec("cat", "/sys/class/net/" + dev + "/statistics/rx_packets").check().output.trim());
    }

    /** Sets up the veth pair: root end up without addresses, inside end with 192.0.2.1/24 and a static neighbour. */
    static void vethPair(Netns ns, String rootEnd, String inside) throws Exception {
        ns.addVeth(rootEnd, inside);
        Netns.run("sysctl", "-qw", "net.ipv6.conf." + rootEnd + ".disable_ipv6=1").check();
        Netns.run("ip", "link", "set", rootEnd, "up").check();
        ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").check();
        ns.exec("ip", "link", "set", inside, "up").check();
        ns.exec("ip", "addr", "add", "192.0.2.1/24", "dev", inside).check();
        ns.exec("ip", "neigh", "add", "192.0.2.2", "lladdr", "02:0a:0b:0c:0d:fe", "dev", inside, "nud", "permanent").check();
    }

    @Test
    public void capturesInboundInjectsAndNeverReadsItsOwnInjections() throws Exception {
        Netns.assumeAvailable("PcapPortTest.capturesInboundInjectsAndNeverReadsItsOwnInjections");
        String rootEnd = Netns.uniqueName("ogva");
        String inside = Netns.uniqueName("ogvb");
        try (Netns ns = Netns.create("ogpcap")) {
            vethPair(ns, rootEnd, inside);
            long rootMac = readMac(null, rootEnd);
            long insideMac = readMac(ns, inside);
            try (PcapPort port = PcapPort.open(rootEnd); PcapPort peer = ns.call(() -> PcapPort.open(inside))) {
                assertEquals(rootEnd, port.name());
                assertEquals(rootMac, port.macAddress());
                assertEquals("MAC of an interface in the namespace, asked from this thread", insideMac, peer.macAddress());

                // 1. Frames sent from the namespace are read.
                Pinger ping = Pinger.start(ns, "192.0.2.1", "192.0.2.2", 3);
                ByteBuffer frame = ByteBuffer.allocateDirect(2048);
                int requests = 0;
                long deadline = System.nanoTime() + 15_000_000_000L;
                while (requests < 3 && System.nanoTime() < deadline) {
                    int n = port.read(frame, 0, 200);
                    if (n > 0 && Frames.isIcmpv4(frame, n)) {
                        assertEquals(PEER_MAC, Frames.dstMac(frame));
                        assertEquals(insideMac, Frames.srcMac(frame));
                        assertEquals(Frames.ICMP_ECHO_REQUEST, Frames.icmpType(frame));
                        requests++;
                    }
                }
                System.out.println("pcap " + rootEnd + ": read " + requests + " echo requests sent from " + ns.name()
                        + "\n" + ping.await(15_000).transcript);
                assertEquals(3, requests);

                // 2. Injected frames arrive inside the namespace, byte for byte.
                long rxBefore = rxPackets(ns, inside);
                Random random = new Random(7);
                ByteBuffer out = ByteBuffer.allocateDirect(2048);
                int length = 14 + 100;
                Frames.putMac(out, 0, insideMac);
                Frames.putMac(out, 6, rootMac);
                out.putShort(12, (short) MARKER_ETHERTYPE);
                for (int i = 14; i < length; i++) {
                    out.put(i, (byte) random.nextInt());
                }
                for (int i = 0; i < 5; i++) {
                    out.put(14, (byte) i);
                    port.write(out, 0, length);
                }
                int seen = 0;
                deadline = System.nanoTime() + 5_000_000_000L;
                while (seen < 5 && System.nanoTime() < deadline) {
                    int n = peer.read(frame, 0, 200);
                    if (n > 0 && Frames.ethertype(frame) == MARKER_ETHERTYPE) {
                        out.put(14, (byte) seen);
                        assertEquals(length, n);
                        assertEquals(Frames.hex(out, 0, length), Frames.hex(frame, 0, n));
                        seen++;
                    }
                }
                assertEquals("injected frames captured inside the namespace", 5, seen);
                long rxAfter = rxPackets(ns, inside);
                assertTrue("rx_packets of " + inside + " grew by at least 5: " + rxBefore + " -> " + rxAfter,
                        rxAfter - rxBefore >= 5);

                // 3. Direction IN: the port never reads back outbound frames, neither its own
                // injections nor those of another handle on the same interface (which a capture
                // in direction INOUT would see), while the peer does receive the latter.
                try (PcapPort other = PcapPort.open(rootEnd)) {
                    out.putShort(12, (short) (MARKER_ETHERTYPE + 1));
                    for (int i = 0; i < 3; i++) {
                        other.write(out, 0, length);
                    }
                }
                int own = 0;
                int peerSaw = 0;
                long until = System.nanoTime() + 500_000_000L;
                while (System.nanoTime() < until) {
                    int n = port.read(frame, 0, 50);
                    if (n > 0 && (Frames.ethertype(frame) & 0xFFFE) == MARKER_ETHERTYPE) {
                        own++;
                    }
                    n = peer.read(frame, 0, 50);
                    if (n > 0 && Frames.ethertype(frame) == MARKER_ETHERTYPE + 1) {
                        peerSaw++;
                    }
                }
                assertEquals("outbound frames read back", 0, own);
                assertEquals("frames injected by the other handle reached the peer", 3, peerSaw);
                assertEquals(0, port.droppedWrites());
                assertEquals(0, port.droppedReads());
            }
        }
    }

    /**
     * The attached interface going down is waited out without burning CPU, the capture resumes
     * when it comes back up, and deleting it is an IOException with the same text as for a TAP.
     */
    @Test
    public void interfaceDownIsWaitedOutAndDeletionIsReported() throws Exception {
        Netns.assumeAvailable("PcapPortTest.interfaceDownIsWaitedOutAndDeletionIsReported");
        try (Netns ns = Netns.create("ogpcap")) {
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").check();
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").check();
            ns.exec("ip", "link", "add", "ogc0", "type", "veth", "peer", "name", "ogc1").check();
            ns.exec("ip", "link", "set", "ogc0", "up").check();
            ns.exec("ip", "link", "set", "ogc1", "up").check();
            try (PcapPort port = ns.call(() -> PcapPort.open("ogc0")); PcapPort peer = ns.call(() -> PcapPort.open("ogc1"))) {
                ByteBuffer in = ByteBuffer.allocateDirect(2048);
                ByteBuffer out = ByteBuffer.allocateDirect(2048);
                Frames.putMac(out, 0, port.macAddress());
                Frames.putMac(out, 6, peer.macAddress());
                out.putShort(12, (short) MARKER_ETHERTYPE);

                ns.exec("ip", "link", "set", "ogc0", "down").check();
                java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
                long cpuBefore = threads.getCurrentThreadCpuTime();
                long wallBefore = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    assertEquals(0, port.read(in, 0, 200));
                }
                long cpuMillis = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1_000_000;
                long wallMillis = (System.nanoTime() - wallBefore) / 1_000_000;
                System.out.println("interface down: 3 reads of 200 ms took " + wallMillis + " ms, " + cpuMillis + " ms CPU, "
                        + port.linkDownEvents() + " link-down events");
                assertTrue("waited, not spun: " + cpuMillis + " ms CPU in " + wallMillis + " ms", cpuMillis < wallMillis / 4);

                ns.exec("ip", "link", "set", "ogc0", "up").check();
                int seen = 0;
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (seen == 0 && System.nanoTime() < deadline) {
                    peer.write(out, 0, 60);
                    int n = port.read(in, 0, 100);
                    if (n > 0 && Frames.ethertype(in) == MARKER_ETHERTYPE) {
                        seen++;
                    }
                }
                assertEquals("capture resumed after the interface came back up", 1, seen);

                ns.exec("ip", "link", "del", "ogc0").check();
                try {
                    deadline = System.nanoTime() + 5_000_000_000L;
                    while (System.nanoTime() < deadline) {
                        port.read(in, 0, 100);
                    }
                    fail("reading a deleted interface must fail");
                } catch (java.io.IOException e) {
                    assertEquals("interface ogc0 is gone (deleted, or its network namespace was removed)", e.getMessage());
                }
            }
        }
    }
}
