package org.overlaygate.core.os;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import org.junit.Test;
import org.overlaygate.testsupport.Netns;

/**
 * The VXLAN underlay's UDP socket, in a namespace of the test's own (loopback MTU 1500): datagrams
 * both ways with their sender, DF set and zero checksums on the wire (seen through a raw socket),
 * EMSGSIZE rather than fragments past the MTU, a taken port as BindException, and no allocation
 * per datagram.
 */
public class UdpSocketTest {
    private static final int A = 0x7F000001;
    private static final int B = 0x7F000002;

    private static Inet4Address address(String text) throws Exception {
        return (Inet4Address) InetAddress.getByName(text);
    }

    @Test
    public void datagramsCarryDfAndZeroChecksumsAndAreNeverFragmented() throws Exception {
        Netns.assumeAvailable("UdpSocketTest.datagramsCarryDfAndZeroChecksumsAndAreNeverFragmented");
        try (Netns ns = Netns.create("ogudp")) {
            ns.exec("ip", "link", "set", "lo", "mtu", "1500").check();
            UdpSocket a = ns.call(() -> UdpSocket.open(address("127.0.0.1"), 4789, true));
            UdpSocket b = ns.call(() -> UdpSocket.open(address("127.0.0.2"), 4790, true));
            RawIpSocket wire = ns.call(() -> RawIpSocket.open(17, address("127.0.0.2")));
            try {
                ByteBuffer out = ByteBuffer.allocateDirect(4096);
                ByteBuffer in = ByteBuffer.allocateDirect(4096);
                for (int i = 0; i < 100; i++) {
                    out.put(64 + i, (byte) i);
                }
                a.send(out, 64, 100, B, 4790);
                assertEquals(100, b.receive(in, 0, 2000));
                assertEquals(A, b.sourceAddress());
                assertEquals(4789, b.sourcePort());
                assertEquals(99, in.get(99));

                int n = wire.receive(in, 0, 2000);
                assertEquals(20 + 8 + 100, n);
                assertEquals("DF set", 0x4000, in.getShort(6) & 0x4000);
                assertEquals("UDP checksum transmitted as zero", 0, in.getShort(20 + 6));

                a.send(out, 0, 1472, B, 4790); // 1472 + 8 + 20 = the 1500-byte MTU
                assertEquals(1472, b.receive(in, 0, 2000));
                try {
                    a.send(out, 0, 1473, B, 4790);
                    fail("a datagram over the MTU must not be sent (DF)");
                } catch (IOException e) {
                    assertTrue(e.getMessage(), e.getMessage().contains("Message too long"));
                }
                assertEquals("no fragment arrives", 0, b.receive(in, 0, 300));

                BindException taken = assertThrows(BindException.class, () -> ns.call(() -> UdpSocket.open(address("127.0.0.1"), 4789, true)));
                assertTrue(taken.getMessage(), taken.getMessage().contains("Address already in use"));

                double perRoundTrip = NativeAllocationTest.bytesPerRoundTrip("UdpSocket", () -> {
                    a.send(out, 64, 100, B, 4790);
                    if (b.receive(in, 0, 2000) != 100) {
                        throw new IOException("lost a datagram");
                    }
                });
                assertTrue("allocated " + perRoundTrip + " bytes per send + receive", perRoundTrip < 1.0);
            } finally {
                a.close();
                b.close();
                wire.close();
            }
        }
    }
}
