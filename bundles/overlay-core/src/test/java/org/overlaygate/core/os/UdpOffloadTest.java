package org.overlaygate.core.os;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * The UDP socket's batched and segmented I/O, in a namespace of the test's own (loopback MTU 1500):
 * many datagrams per sendmmsg and recvmmsg, a GSO train (UDP_SEGMENT) that arrives as separate
 * datagrams at a plain socket and as one train with its segment size at a socket with UDP_GRO, the
 * checksum GSO needs (not zero: left for the device to complete), the train seen as one packet on
 * loopback by a raw socket, truncation of what does not fit a slot,
 * the probes' refusals, and no allocation per round trip.
 */
public class UdpOffloadTest {
    private static final int A = 0x7F000001;
    private static final int B = 0x7F000002;

    private static Inet4Address address(String text) throws Exception {
        return (Inet4Address) InetAddress.getByName(text);
    }

    /** A train of {@code count} datagrams of {@code size} bytes (datagram i filled with i + 1), then one of 300 bytes of 0x55. */
    private static SendVector train(ByteBuffer out, int count, int size) {
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < size; k++) {
                out.put(i * size + k, (byte) (i + 1));
            }
        }
        for (int k = 0; k < 300; k++) {
            out.put(count * size + k, (byte) 0x55);
        }
        SendVector v = new SendVector(8, 64);
        assertTrue(v.begin(B, 4790, 0));
        for (int i = 0; i < count; i++) {
            assertTrue(v.add(out, i * size, size)); // one piece per datagram, as a batch sends them
        }
        v.segment(size);
        assertTrue(v.begin(B, 4790, 0));
        assertTrue(v.add(out, count * size, 300));
        return v;
    }

    @Test
    public void trainsGoOutAsOneSendAndArriveAsDatagramsOrAsOneGroTrain() throws Exception {
        Netns.assumeAvailable("UdpOffloadTest.trainsGoOutAsOneSendAndArriveAsDatagramsOrAsOneGroTrain");
        try (Netns ns = Netns.create("oggso")) {
            ns.exec("ip", "link", "set", "lo", "mtu", "1500").check();
            UdpSocket a = ns.call(() -> UdpSocket.open(address("127.0.0.1"), 4789, false));
            UdpSocket b = ns.call(() -> UdpSocket.open(address("127.0.0.2"), 4790, true));
            RawIpSocket wire = ns.call(() -> RawIpSocket.open(17, address("127.0.0.2")));
            try {
                assertNull("GSO on a checksumming socket", a.probeSendOffload());
                assertTrue(b.probeSendOffload(), b.probeSendOffload().contains("zero UDP checksums"));
                ByteBuffer out = ByteBuffer.allocateDirect(65536);
                SendVector v = train(out, 10, 1000);
                assertEquals("both messages taken by one sendmmsg", 2, a.send(v, 0));

                RecvVector plain = new RecvVector(32, 2048, 16);
                int[] sizes = new int[11];
                int got = 0;
                while (got < 11) {
                    int n = b.receive(plain, 2000, true);
                    assertTrue("datagrams lost after " + got, n > 0);
                    for (int i = 0; i < n; i++, got++) {
                        sizes[got] = plain.length(i);
                        assertEquals("no GRO: one datagram each", 0, plain.segmentSize(i));
                        assertEquals(A, plain.sourceAddress(i));
                        assertEquals(4789, plain.sourcePort(i));
                        assertEquals(16 + i * ((16 + 2048 + 63) & ~63), plain.offset(i));
                        byte expected = got < 10 ? (byte) (got + 1) : 0x55;
                        assertEquals(expected, plain.buffer().get(plain.offset(i)));
                        assertEquals(expected, plain.buffer().get(plain.offset(i) + sizes[got] - 1));
                    }
                }
                for (int i = 0; i < 10; i++) {
                    assertEquals("the kernel cut the train at the segment size", 1000, sizes[i]);
                }
                assertEquals(300, sizes[10]);

                // A raw socket sees the train as the kernel carried it over loopback: one packet, with a
                // checksum field that is not zero (left partial for the device to complete; loopback
                // and veth need not, a NIC does), then the single datagram.
                ByteBuffer onWire = ByteBuffer.allocateDirect(65536);
                assertEquals("the train crosses loopback as one packet", 20 + 8 + 10_000, wire.receive(onWire, 0, 2000));
                assertEquals(8 + 10_000, onWire.getShort(20 + 4) & 0xFFFF);
                assertNotEquals("a GSO train does not carry a zero checksum", 0, onWire.getShort(20 + 6));
                assertEquals(20 + 8 + 300, wire.receive(onWire, 0, 2000));

                assertNull("UDP_GRO turns on", b.enableReceiveOffload());
                RecvVector trains = new RecvVector(4, 65536, 0);
                assertEquals(2, a.send(train(out, 10, 1000), 0));
                int trainsSeen = 0;
                int[] lengths = new int[2];
                int[] segments = new int[2];
                while (trainsSeen < 2) {
                    int n = b.receive(trains, 2000, true);
                    assertTrue("lost after " + trainsSeen, n > 0);
                    for (int i = 0; i < n; i++, trainsSeen++) {
                        lengths[trainsSeen] = trains.length(i);
                        segments[trainsSeen] = trains.segmentSize(i);
                        if (segments[trainsSeen] > 0) {
                            for (int d = 0; d < 10; d++) {
                                assertEquals((byte) (d + 1), trains.buffer().get(trains.offset(i) + d * 1000 + 999));
                            }
                        }
                    }
                }
                assertEquals("the train arrives as one, with its segment size", 10_000, lengths[0]);
                assertEquals(1000, segments[0]);
                assertEquals(300, lengths[1]);
                assertEquals(0, segments[1]);

                RecvVector small = new RecvVector(1, 500, 0);
                SendVector one = new SendVector(1, 1);
                one.begin(B, 4790, 0);
                one.add(out, 0, 1000);
                assertEquals(1, a.send(one, 0));
                assertEquals(1, b.receive(small, 2000, false));
                assertTrue("a datagram larger than its slot is marked truncated", small.truncated(0));

                SendVector round = train(out, 10, 1000);
                double perRoundTrip = NativeAllocationTest.bytesPerRoundTrip("UdpSocket vectors", () -> {
                    if (a.send(round, 0) != 2) {
                        throw new IOException("refused: " + round.errorText());
                    }
                    int received = 0;
                    while (received < 2) {
                        int r = b.receive(trains, 2000, true);
                        if (r == 0) {
                            throw new IOException("lost a train");
                        }
                        received += r;
                    }
                });
                assertTrue("allocated " + perRoundTrip + " bytes per round trip", perRoundTrip < 1.0);
            } finally {
                a.close();
                b.close();
                wire.close();
            }
        }
    }

    @Test
    public void refusalsSayWhyAndDoNotThrow() throws Exception {
        Netns.assumeAvailable("UdpOffloadTest.refusalsSayWhyAndDoNotThrow");
        try (Netns ns = Netns.create("oggso")) {
            ns.exec("ip", "link", "set", "lo", "mtu", "1500").check();
            UdpSocket a = ns.call(() -> UdpSocket.open(address("127.0.0.1"), 4789, false));
            try {
                ByteBuffer out = ByteBuffer.allocateDirect(65536);
                SendVector v = new SendVector(2, 4);
                v.begin(B, 4790, 0);
                v.add(out, 0, 1473); // over the 1500-byte MTU with DF
                assertEquals(0, a.send(v, 0));
                assertTrue(v.errorText(), v.errorText().contains("Message too long"));
                assertTrue(!v.queueWasFull() && !v.segmentationRefused());

                a.setZeroChecksum(true);
                assertTrue(a.probeSendOffload(), a.probeSendOffload().contains("zero UDP checksums"));
                SendVector t = new SendVector(1, 4);
                t.begin(B, 4790, 0);
                t.add(out, 0, 1000);
                t.add(out, 1000, 1000);
                t.segment(1000);
                assertEquals("Linux does not segment a socket with zero checksums", 0, a.send(t, 0));
                assertTrue(t.errorText(), t.segmentationRefused());
            } finally {
                a.close();
            }
        }
    }
}
