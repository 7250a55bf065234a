package org.overlaygate.core.os;

import org.overlaygate.testsupport.Netns;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

/**
 * A TAP device answering ping: the test plays the peer. Needs root and {@code ip} (skipped with the
 * reason otherwise).
 */
public class TapDeviceTest {
    static final long TAP_MAC = 0x02_0a_0b_0c_0d_01L;
    static final long PEER_MAC = 0x02_0a_0b_0c_0d_feL; // the fake peer, answered by the test
    static final String TAP_IP = "192.0.2.1";
    static final String PEER_IP = "192.0.2.2";

    @Test
    public void pingThroughTapInNamespaceIsAnsweredByTheTest() throws Exception {
        Netns.assumeAvailable("TapDeviceTest.pingThroughTapInNamespaceIsAnsweredByTheTest");
        String dev = Netns.uniqueName("ogtap");
        try (Netns ns = Netns.create("ogtap"); TapDevice tap = TapDevice.create(dev)) {
            assertEquals(dev, tap.name());
            tap.setMacAddress(TAP_MAC);
            assertEquals(TAP_MAC, tap.macAddress());
            tap.setMtu(1400);
            assertEquals(1400, tap.mtu());
            assertEquals("1400", Files.readString(Path.of("/sys/class/net/" + dev + "/mtu")).trim());
            tap.setUp();
            int flags = Integer.decode(Files.readString(Path.of("/sys/class/net/" + dev + "/flags")).trim());
            assertTrue("IFF_UP after setUp", (flags & 1) != 0);
            assertEquals("02:0a:0b:0c:0d:01", Files.readString(Path.of("/sys/class/net/" + dev + "/address")).trim());

            // Into the namespace: the fd keeps working; moving brings the device down.
            plugIn(ns, dev);
            assertEquals("MAC through the TAP fd after the move", TAP_MAC, tap.macAddress());

            Pinger ping = Pinger.start(ns, TAP_IP, PEER_IP, 3);
            ByteBuffer frame = ByteBuffer.allocateDirect(2048);
            ByteBuffer reply = ByteBuffer.allocateDirect(2048);
            int answered = 0;
            int other = 0;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (answered < 3 && System.nanoTime() < deadline && !ping.isDone()) {
                int n = tap.read(frame, 0, 200);
                if (n == 0) {
                    continue;
                }
                if (!Frames.isIcmpv4(frame, n)) {
                    other++;
                    continue;
                }
                assertEquals("destination MAC = the static neighbour's", PEER_MAC, Frames.dstMac(frame));
                assertEquals("source MAC = the TAP's", TAP_MAC, Frames.srcMac(frame));
                assertEquals("ethertype", Frames.ETHERTYPE_IPV4, Frames.ethertype(frame));
                assertEquals("ICMP echo request", Frames.ICMP_ECHO_REQUEST, Frames.icmpType(frame));
                Frames.echoReply(frame, n, reply);
                tap.write(reply, 0, n);
                answered++;
            }
            Pinger.Outcome outcome = ping.await(15_000);
            System.out.println("TAP " + dev + ": answered " + answered + " echo requests (" + other + " other frames)\n"
                    + outcome.transcript);
            assertEquals(outcome.transcript, 3, answered);
            assertEquals("ping must succeed: " + outcome.transcript, 3, outcome.received);
            assertEquals(0, tap.droppedWrites());
        }
        assertTrue("the TAP device is removed when closed", !Files.exists(Path.of("/sys/class/net/" + dev)));
    }

    /**
     * A frame written as pieces behind a vnet header describing a 20,000-byte TCP segment (GSO
     * TCPV4, gso_size 1400, checksum to complete) is taken by the kernel as one segment: it answers
     * the segment, sent to a closed port without ACK, with a reset acknowledging all 20,000 bytes.
     */
    @Test
    public void aSegmentedWriteIsTakenAsOneTcpSegment() throws Exception {
        Netns.assumeAvailable("TapDeviceTest.aSegmentedWriteIsTakenAsOneTcpSegment");
        String dev = Netns.uniqueName("oggso");
        try (Netns ns = Netns.create("oggso"); TapDevice tap = TapDevice.create(dev, true)) {
            org.junit.Assert.assertNull(tap.probeSegmentedWrites());
            tap.setMacAddress(TAP_MAC);
            plugIn(ns, dev);

            int payload = 20_000;
            long seq = 0x1000_0000L;
            ByteBuffer frame = ByteBuffer.allocateDirect(14 + 40 + payload);
            Frames.putMac(frame, 0, TAP_MAC);
            Frames.putMac(frame, 6, PEER_MAC);
            frame.putShort(12, (short) Frames.ETHERTYPE_IPV4);
            frame.put(14, (byte) 0x45).putShort(16, (short) (40 + payload)).putShort(20, (short) 0x4000).put(22, (byte) 64)
                    .put(23, (byte) 6).putInt(26, Frames.ipv4(192, 0, 2, 2)).putInt(30, Frames.ipv4(192, 0, 2, 1));
            frame.putShort(24, (short) Frames.checksum(frame, 14, 20));
            frame.putShort(34, (short) 40000).putShort(36, (short) 9).putInt(38, (int) seq).put(46, (byte) 0x50).put(47, (byte) 0x08)
                    .putShort(48, (short) 512);
            long pseudo = 0xC000 + 0x0202 + 0xC000 + 0x0201 + 6 + 20 + payload; // 192.0.2.2, 192.0.2.1, TCP, length
            while ((pseudo >>> 16) != 0) {
                pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
            }
            frame.putShort(50, (short) pseudo); // partial: the kernel completes it
            ByteBuffer header = ByteBuffer.allocateDirect(10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            header.put(0, (byte) 1).put(1, (byte) 1).putShort(2, (short) 54).putShort(4, (short) 1400).putShort(6, (short) 34)
                    .putShort(8, (short) 16);
            GatherList pieces = new GatherList(4);
            pieces.add(header, 0, 10);
            pieces.add(frame, 0, 54 + 7000);
            pieces.add(frame, 54 + 7000, payload - 7000);
            assertEquals(10 + 54 + payload, pieces.bytes());
            assertNull(tap.write(pieces));

            ByteBuffer in = ByteBuffer.allocateDirect(70_000);
            long deadline = System.nanoTime() + 10_000_000_000L;
            long acknowledged = -1;
            while (acknowledged < 0 && System.nanoTime() < deadline) {
                int n = tap.read(in, 0, 200);
                int f = 10; // the frame follows the vnet header
                if (n >= f + 54 && in.getShort(f + 12) == Frames.ETHERTYPE_IPV4 && in.get(f + 23) == 6 && (in.get(f + 47) & 0x04) != 0) {
                    assertEquals("from the closed port", 9, in.getShort(f + 34) & 0xFFFF);
                    acknowledged = in.getInt(f + 42) & 0xFFFF_FFFFL;
                }
            }
            assertEquals("the reset acknowledges the whole segment", seq + payload, acknowledged);
        }
    }

    /**
     * A multi-queue device has the queues asked for (an fd each, a tx queue each in sysfs), and
     * the stack behind it answers a flow through the queue the flow's last frame was written to:
     * what the VNIC relies on to keep each flow in a queue of its own. TCP SYNs of one flow to a
     * closed port, written through queue 3, then 0, then 2, are answered (a reset) through queue
     * 3, 0, 2.
     */
    @Test
    public void aMultiQueueDeviceAnswersAFlowThroughTheQueueItCameBy() throws Exception {
        Netns.assumeAvailable("TapDeviceTest.aMultiQueueDeviceAnswersAFlowThroughTheQueueItCameBy");
        String dev = Netns.uniqueName("ogmq");
        try (Netns ns = Netns.create("ogmq"); TapDevice tap = TapDevice.create(dev, false, 4)) {
            assertEquals(4, tap.queues());
            assertNull(tap.queueRefusal());
            try (java.util.stream.Stream<Path> queues = Files.list(Path.of("/sys/class/net/" + dev + "/queues"))) {
                assertEquals(4, queues.filter(q -> q.getFileName().toString().startsWith("tx-")).count());
            }
            tap.setMacAddress(TAP_MAC);
            plugIn(ns, dev);
            ByteBuffer syn = ByteBuffer.allocateDirect(54);
            ByteBuffer in = ByteBuffer.allocateDirect(2048);
            int seq = 0x2000_0000;
            for (int queue : new int[] {3, 0, 2}) {
                // the kernel records the queue after it has taken the frame in: the first SYN's reset
                // still goes by the queue recorded before, the second's by this one
                answeredBy(tap, syn, in, queue, seq += 1000);
                assertEquals("the reset to a second SYN through queue " + queue + " comes by that queue", queue,
                        answeredBy(tap, syn, in, queue, seq += 1000));
            }
        }
        assertTrue("the TAP device is removed when its last queue is closed", !Files.exists(Path.of("/sys/class/net/" + dev)));
    }

    /**
     * A queue left out of {@link TapDevice#awaitQueues} is read on its own with {@link TapDevice#read}
     * (queue 0, for light flows' reader): the reset to a SYN written through queue 0 comes back by
     * queue 0, which the wait on the queues no longer reports, and the read of queue 0 takes it.
     */
    @Test
    public void aQueueLeftOutOfTheWaitIsReadOnItsOwn() throws Exception {
        Netns.assumeAvailable("TapDeviceTest.aQueueLeftOutOfTheWaitIsReadOnItsOwn");
        String dev = Netns.uniqueName("ogmq");
        try (Netns ns = Netns.create("ogmq"); TapDevice tap = TapDevice.create(dev, false, 4)) {
            tap.setMacAddress(TAP_MAC);
            plugIn(ns, dev);
            ByteBuffer syn = ByteBuffer.allocateDirect(54);
            ByteBuffer in = ByteBuffer.allocateDirect(2048);
            int seq = 0x3000_0000;
            // the flow's queue is recorded once the kernel has taken the first SYN in (see above)
            answeredBy(tap, syn, in, 0, seq += 1000);
            tap.leaveOutOfAwait(0);
            tcpSyn(syn, 40000, 9, seq += 1000);
            assertNull(tap.write(0, syn, 0, 54));
            long deadline = System.nanoTime() + 10_000_000_000L;
            boolean reset = false;
            while (!reset && System.nanoTime() < deadline) {
                int m = tap.read(in, 0, 200);
                reset = m >= 54 && in.get(23) == 6 && (in.get(47) & 0x04) != 0 && in.getInt(42) == seq + 1;
            }
            assertTrue("queue 0's read takes the reset", reset);
            assertEquals("the wait on the queues does not report queue 0", 0, tap.awaitQueues(0) & 1);
        }
    }

    /** Moves the device into the namespace, up, with TAP_IP and the peer as a permanent neighbour (no IPv6: no stray frames). */
    private static void plugIn(Netns ns, String dev) throws Exception {
        ns.moveIn(dev);
        ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").check();
        ns.exec("ip", "link", "set", dev, "up").check();
        ns.exec("ip", "addr", "add", TAP_IP + "/24", "dev", dev).check();
        ns.exec("ip", "neigh", "add", PEER_IP, "lladdr", "02:0a:0b:0c:0d:fe", "dev", dev, "nud", "permanent").check();
    }

    /** Writes a SYN from port 40000 to closed port 9 through {@code queue}: the queue its reset came by (-1: none within 10 s). */
    private static int answeredBy(TapDevice tap, ByteBuffer syn, ByteBuffer in, int queue, int seq) throws Exception {
        tcpSyn(syn, 40000, 9, seq);
        assertNull(tap.write(queue, syn, 0, 54));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long ready = tap.awaitQueues(200);
            for (int q = 0; q < tap.queues(); q++) {
                int m;
                while ((ready & (1L << q)) != 0 && (m = tap.readQueue(q, in, 0)) > 0) {
                    if (m >= 54 && in.getShort(12) == Frames.ETHERTYPE_IPV4 && in.get(23) == 6 && (in.get(47) & 0x04) != 0
                            && in.getInt(42) == seq + 1) {
                        return q;
                    }
                }
            }
        }
        return -1;
    }

    /** A TCP SYN from the peer to the TAP's address, checksums complete, in [0, 54). */
    private static void tcpSyn(ByteBuffer frame, int sourcePort, int destinationPort, int seq) {
        Frames.putMac(frame, 0, TAP_MAC);
        Frames.putMac(frame, 6, PEER_MAC);
        frame.putShort(12, (short) Frames.ETHERTYPE_IPV4);
        frame.put(14, (byte) 0x45).put(15, (byte) 0).putShort(16, (short) 40).putInt(18, 0x4000).put(22, (byte) 64).put(23, (byte) 6)
                .putShort(24, (short) 0).putInt(26, Frames.ipv4(192, 0, 2, 2)).putInt(30, Frames.ipv4(192, 0, 2, 1));
        frame.putShort(24, (short) Frames.checksum(frame, 14, 20));
        frame.putShort(34, (short) sourcePort).putShort(36, (short) destinationPort).putInt(38, seq).putInt(42, 0).put(46, (byte) 0x50)
                .put(47, (byte) 0x02).putShort(48, (short) 512).putInt(50, 0);
        long sum = 0xC000 + 0x0202 + 0xC000 + 0x0201 + 6 + 20; // 192.0.2.2, 192.0.2.1, TCP, length
        for (int i = 34; i < 54; i += 2) {
            sum += frame.getShort(i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        frame.putShort(50, (short) ~sum);
    }

    /** A TAP device that vanishes with its namespace is an IOException for the reader, not a hang. */
    @Test
    public void readerLearnsThatTheDeviceWentAwayWithItsNamespace() throws Exception {
        Netns.assumeAvailable("TapDeviceTest.readerLearnsThatTheDeviceWentAwayWithItsNamespace");
        String dev = Netns.uniqueName("oggone");
        try (TapDevice tap = TapDevice.create(dev)) {
            try (Netns ns = Netns.create("oggone")) {
                ns.moveIn(dev);
            }
            ByteBuffer frame = ByteBuffer.allocateDirect(2048);
            long deadline = System.nanoTime() + 10_000_000_000L;
            try {
                while (System.nanoTime() < deadline) {
                    tap.read(frame, 0, 100);
                }
                org.junit.Assert.fail("the device went away with its namespace, yet reads go on");
            } catch (java.io.IOException e) {
                assertEquals("TAP device " + dev + " is gone (deleted, or its network namespace was removed)", e.getMessage());
            }
        }
    }
}
