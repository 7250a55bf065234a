package org.overlaygate.core.os;

import org.overlaygate.testsupport.Netns;

import static org.junit.Assert.assertEquals;
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
            ns.moveIn(dev);
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").check();
            ns.exec("ip", "link", "set", dev, "up").check();
            ns.exec("ip", "addr", "add", TAP_IP + "/24", "dev", dev).check();
            ns.exec("ip", "neigh", "add", PEER_IP, "lladdr", "02:0a:0b:0c:0d:fe", "dev", dev, "nud", "permanent").check();
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
