package org.overlaygate.core.os;

import org.overlaygate.testsupport.Netns;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.Test;

/**
 * The per-packet calls allocate nothing in steady state: bytes allocated by this thread
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) over 20,000 write/read round
 * trips after warm-up, per channel. An allocation check, not a timing check. Needs root and
 * {@code ip} (skipped with the reason otherwise).
 */
public class NativeAllocationTest {
    private static final int WARM_UP = 3_000;
    private static final int ROUND_TRIPS = Integer.getInteger("overlaygate.test.roundTrips", 20_000);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    interface RoundTrip {
        void run() throws IOException;
    }

    /** Bytes this thread allocated per round trip over ROUND_TRIPS, after WARM_UP. */
    static double bytesPerRoundTrip(String what, RoundTrip roundTrip) throws IOException {
        for (int i = 0; i < WARM_UP; i++) {
            roundTrip.run();
        }
        long thread = Thread.currentThread().getId();
        long calibrate = THREADS.getThreadAllocatedBytes(thread);
        long before = THREADS.getThreadAllocatedBytes(thread);
        long overhead = before - calibrate; // what asking costs, if anything
        long start = System.nanoTime();
        for (int i = 0; i < ROUND_TRIPS; i++) {
            roundTrip.run();
        }
        long elapsed = System.nanoTime() - start;
        long after = THREADS.getThreadAllocatedBytes(thread);
        long bytes = after - before - overhead;
        double perRoundTrip = (double) bytes / ROUND_TRIPS;
        System.out.printf("%s: %d round trips (write + read), %d bytes allocated by the thread = %.4f bytes per round trip, "
                + "%.4f per operation (%.1f us per round trip, for information)%n",
                what, ROUND_TRIPS, bytes, perRoundTrip, perRoundTrip / 2, elapsed / 1000.0 / ROUND_TRIPS);
        return perRoundTrip;
    }

    /** A TAP device of one queue, and of four read as the VNIC reads them ({@link TapDevice#awaitQueues}). */
    @Test
    public void tapWriteAndReadAllocateNothing() throws Exception {
        Netns.assumeAvailable("NativeAllocationTest.tapWriteAndReadAllocateNothing");
        assertTrue(THREADS.isThreadAllocatedMemorySupported());
        THREADS.setThreadAllocatedMemoryEnabled(true);
        for (int queues : new int[] {1, 4}) {
            String dev = Netns.uniqueName("ogalloc");
            try (Netns ns = Netns.create("ogalloc"); TapDevice tap = TapDevice.create(dev, false, queues)) {
                assertEquals(queues, tap.queues());
                tap.setMacAddress(TapDeviceTest.TAP_MAC);
                ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").check();
                ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").check();
                ns.moveIn(dev);
                ns.exec("ip", "link", "set", dev, "up").check();
                ns.exec("ip", "addr", "add", "192.0.2.1/24", "dev", dev).check();
                ns.exec("ip", "neigh", "add", "192.0.2.2", "lladdr", "02:0a:0b:0c:0d:fe", "dev", dev, "nud", "permanent").check();
                // An echo request from the fake peer to the TAP's address: the kernel answers it out of the TAP.
                ByteBuffer request = ByteBuffer.allocateDirect(2048);
                ByteBuffer reply = ByteBuffer.allocateDirect(2048);
                int length = Frames.echoRequest(request, TapDeviceTest.TAP_MAC, TapDeviceTest.PEER_MAC,
                        Frames.ipv4(192, 0, 2, 2), Frames.ipv4(192, 0, 2, 1), 0x77, 1, 56);
                double perRoundTrip = bytesPerRoundTrip("TapDevice, " + queues + " queue(s)", () -> {
                    tap.write(request, 0, length);
                    for (;;) {
                        int n = readAnyQueue(tap, reply);
                        if (n == 0) {
                            fail("no echo reply from the kernel");
                        }
                        if (n == length && Frames.icmpType(reply) == Frames.ICMP_ECHO_REPLY) {
                            return;
                        }
                    }
                });
                assertTrue("bytes per round trip " + perRoundTrip, perRoundTrip < 1);
                assertEquals(0, tap.droppedWrites());
            }
        }
    }

    /** A frame from the device into {@code into} at 0, waiting up to a second: its length, 0 when none came. */
    private static int readAnyQueue(TapDevice tap, ByteBuffer into) throws IOException {
        if (tap.queues() == 1) {
            return tap.read(into, 0, 1000);
        }
        long ready = tap.awaitQueues(1000);
        for (int q = 0; q < tap.queues(); q++) {
            int n = (ready & (1L << q)) != 0 ? tap.readQueue(q, into, 0) : 0;
            if (n > 0) {
                return n;
            }
        }
        return 0;
    }

    @Test
    public void rawSocketSendAndReceiveAllocateNothing() throws Exception {
        Netns.assumeAvailable("NativeAllocationTest.rawSocketSendAndReceiveAllocateNothing");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        try (Netns ns = Netns.create("ogalloc")) {
            RawIpSocket a = ns.call(() -> RawIpSocket.open(47, (Inet4Address) InetAddress.getByName("127.0.0.1")));
            RawIpSocket b = null;
            try {
                b = ns.call(() -> RawIpSocket.open(47, (Inet4Address) InetAddress.getByName("127.0.0.2")));
                RawIpSocket receiver = b;
                ByteBuffer out = ByteBuffer.allocateDirect(2048);
                ByteBuffer in = ByteBuffer.allocateDirect(2048);
                int length = RawIpSocketTest.nvgre(out, 0, 0x1234, 1400, new java.util.Random(1));
                double perRoundTrip = bytesPerRoundTrip("RawIpSocket", () -> {
                    a.send(out, 0, length, RawIpSocketTest.LOCAL_B);
                    int n = receiver.receive(in, 0, 1000);
                    if (n != 20 + length || receiver.sourceAddress() != RawIpSocketTest.LOCAL_A) {
                        fail("unexpected receive: " + n);
                    }
                });
                assertTrue("bytes per round trip " + perRoundTrip, perRoundTrip < 1);
                assertEquals(0, a.droppedWrites());
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    @Test
    public void pcapWriteAndReadAllocateNothing() throws Exception {
        Netns.assumeAvailable("NativeAllocationTest.pcapWriteAndReadAllocateNothing");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        try (Netns ns = Netns.create("ogalloc")) {
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").check();
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").check();
            ns.exec("ip", "link", "add", "ogc0", "type", "veth", "peer", "name", "ogc1").check();
            ns.exec("ip", "link", "set", "ogc0", "up").check();
            ns.exec("ip", "link", "set", "ogc1", "up").check();
            PcapPort sender = ns.call(() -> PcapPort.open("ogc0"));
            PcapPort receiver = null;
            try {
                receiver = ns.call(() -> PcapPort.open("ogc1"));
                PcapPort port = receiver;
                ByteBuffer out = ByteBuffer.allocateDirect(2048);
                ByteBuffer in = ByteBuffer.allocateDirect(2048);
                int length = 1000;
                Frames.putMac(out, 0, receiver.macAddress());
                Frames.putMac(out, 6, sender.macAddress());
                out.putShort(12, (short) PcapPortTest.MARKER_ETHERTYPE);
                double perRoundTrip = bytesPerRoundTrip("PcapPort", () -> {
                    sender.write(out, 0, length);
                    for (int idleSeconds = 0;;) {
                        int n = port.read(in, 0, 1000);
                        // a read that times out after 1 s is tried again: a loaded 2-core machine
                        // can hold the capture back for a moment, but not for 10 s
                        if (n == 0 && ++idleSeconds == 10) {
                            fail("injected frame not captured within 10 s");
                        }
                        if (n == length && Frames.ethertype(in) == PcapPortTest.MARKER_ETHERTYPE) {
                            return;
                        }
                    }
                });
                assertTrue("bytes per round trip " + perRoundTrip, perRoundTrip < 1);
            } finally {
                sender.close();
                if (receiver != null) {
                    receiver.close();
                }
            }
        }
    }
}
