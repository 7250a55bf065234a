package org.overlaygate.core.os;

import org.overlaygate.testsupport.Netns;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.Test;

/**
 * GRE (IP protocol 47) between two raw sockets on 127.0.0.1 and 127.0.0.2 inside a test network
 * namespace whose loopback MTU is 1500, so that DF can be seen at work. Needs root and {@code ip}.
 */
public class RawIpSocketTest {
    static final int GRE = 47;
    static final int LOCAL_A = Frames.ipv4(127, 0, 0, 1);
    static final int LOCAL_B = Frames.ipv4(127, 0, 0, 2);

    static Inet4Address address(String text) throws IOException {
        return (Inet4Address) InetAddress.getByName(text);
    }

    /** An NVGRE packet: GRE header with K=1 and protocol 0x6558, VSID and FlowID, then random bytes. */
    static int nvgre(ByteBuffer b, int offset, int vsid, int innerLength, Random random) {
        b.putInt(offset, 0x2000_6558);
        b.putInt(offset + 4, (vsid << 8) | 0x2a);
        for (int i = 0; i < innerLength; i++) {
            b.put(offset + 8 + i, (byte) random.nextInt());
        }
        return 8 + innerLength;
    }

    @Test
    public void greBetweenLoopbackAddressesWithDf() throws Exception {
        Netns.assumeAvailable("RawIpSocketTest.greBetweenLoopbackAddressesWithDf");
        try (Netns ns = Netns.create("oggre")) {
            ns.exec("ip", "link", "set", "lo", "mtu", "1500").check();
            RawIpSocket a = ns.call(() -> RawIpSocket.open(GRE, address("127.0.0.1")));
            RawIpSocket b = null;
            try {
                b = ns.call(() -> RawIpSocket.open(GRE, address("127.0.0.2")));
                Random random = new Random(47);
                ByteBuffer out = ByteBuffer.allocateDirect(4096);
                ByteBuffer in = ByteBuffer.allocateDirect(4096);

                // a -> b, received at an offset of 10
                int length = nvgre(out, 100, 0x00ABCD, 60, random);
                a.send(out, 100, length, LOCAL_B);
                int n = b.receive(in, 10, 2000);
                assertEquals("IPv4 header + GRE packet", 20 + length, n);
                assertEquals("payload after the 20-byte IPv4 header", 30, b.payloadOffset());
                assertEquals(LOCAL_A, b.sourceAddress());
                assertEquals("protocol field", GRE, in.get(10 + 9) & 0xFF);
                assertEquals("DF set", 0x4000, in.getShort(10 + 6) & 0x4000);
                assertEquals(Frames.hex(out, 100, length), Frames.hex(in, b.payloadOffset(), length));
                assertEquals("position and limit untouched", 0, in.position());
                assertEquals(4096, in.limit());

                // b -> a
                length = nvgre(out, 0, 0x000123, 200, random);
                b.send(out, 0, length, LOCAL_A);
                n = a.receive(in, 0, 2000);
                assertEquals(20 + length, n);
                assertEquals(20, a.payloadOffset());
                assertEquals(LOCAL_B, a.sourceAddress());
                assertEquals(Frames.hex(out, 0, length), Frames.hex(in, 20, length));

                // The largest packet that fits the 1500-byte MTU goes through whole...
                length = nvgre(out, 0, 7, 1480 - 8, random);
                a.send(out, 0, length, LOCAL_B);
                assertEquals(1500, b.receive(in, 0, 2000));

                // ...one byte more fails with EMSGSIZE instead of being fragmented.
                length = nvgre(out, 0, 7, 1481 - 8, random);
                try {
                    a.send(out, 0, length, LOCAL_B);
                    fail("a packet over the MTU with DF must not be sent");
                } catch (IOException e) {
                    System.out.println("oversized send: " + e.getMessage());
                    assertTrue(e.getMessage(), e.getMessage().contains("Message too long"));
                    assertTrue("one line: " + e.getMessage(), !e.getMessage().contains("\n"));
                }
                assertEquals("no fragment arrives", 0, b.receive(in, 0, 300));

                // Timeout with nothing to receive.
                long start = System.nanoTime();
                assertEquals(0, a.receive(in, 0, 100));
                assertTrue("waited about the timeout", System.nanoTime() - start >= 90_000_000L);
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
    public void openFailsClearlyForAnAddressThatIsNotLocal() throws Exception {
        Netns.assumeAvailable("RawIpSocketTest.openFailsClearlyForAnAddressThatIsNotLocal");
        try (Netns ns = Netns.create("oggre")) {
            try {
                ns.call(() -> RawIpSocket.open(GRE, address("192.0.2.77"))).close();
                fail("bind to a foreign address must fail");
            } catch (IOException e) {
                assertEquals("cannot open raw IP socket (protocol 47) on 192.0.2.77: Cannot assign requested address"
                        + " (not an address of this host)", e.getMessage());
            }
        }
    }
}
