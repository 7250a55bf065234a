package org.overlaygate.core.vnic;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.Test;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.BufferLayout;

/**
 * Segmentation and checksum completion checked against an independent checksum computed here
 * byte by byte: every segment's IPv4 header checksum and TCP checksum verify, sequence numbers,
 * lengths, IPv4 ids and flags follow the kernel's GSO rules, and the payloads put together are the
 * original.
 */
public class TcpSegmenterTest {
    private static final int HEADER = BufferLayout.HEADROOM - 10;
    private static final byte[] ETHERNET = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

    private static int sum16(byte[] b, int from, int to, long start) {
        long s = start;
        for (int i = from; i < to; i += 2) {
            s += ((b[i] & 0xFF) << 8) | (i + 1 < to ? b[i + 1] & 0xFF : 0);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    private static ByteBuffer gsoFrame(boolean v6, int payloadLength, int mss, int tcpFlags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + 70_000);
        b.put(HEADER, (byte) 1); // NEEDS_CSUM
        b.put(HEADER + 1, (byte) (v6 ? 4 : 1));
        b.put(HEADER + 4, (byte) mss).put(HEADER + 5, (byte) (mss >>> 8));
        int f = BufferLayout.HEADROOM;
        b.put(f, ETHERNET, 0, 12);
        b.putShort(f + 12, (short) (v6 ? 0x86DD : 0x0800));
        int l3 = f + 14;
        int l4;
        if (v6) {
            b.put(l3, (byte) 0x60).putShort(l3 + 4, (short) (20 + payloadLength)).put(l3 + 6, (byte) 6).put(l3 + 7, (byte) 64);
            for (int i = 0; i < 16; i++) {
                b.put(l3 + 8 + i, (byte) (0xFD + i)).put(l3 + 24 + i, (byte) (0x20 + i));
            }
            l4 = l3 + 40;
        } else {
            b.put(l3, (byte) 0x45).putShort(l3 + 2, (short) (20 + 20 + payloadLength)).putShort(l3 + 4, (short) 0x1234)
                    .putShort(l3 + 6, (short) 0x4000).put(l3 + 8, (byte) 64).put(l3 + 9, (byte) 6)
                    .putInt(l3 + 12, 0xC0A86401).putInt(l3 + 16, 0xC0A86402);
            l4 = l3 + 20;
        }
        b.putShort(l4, (short) 40000).putShort(l4 + 2, (short) 5201).putInt(l4 + 4, 0xFFFFF000).putInt(l4 + 8, 777)
                .put(l4 + 12, (byte) 0x50).put(l4 + 13, (byte) tcpFlags).putShort(l4 + 14, (short) 512);
        b.put(l4 + 20, payload, 0, payloadLength);
        return b;
    }

    private List<byte[]> segment(ByteBuffer frame, int length) {
        List<byte[]> out = new ArrayList<>();
        new TcpSegmenter().process(frame, HEADER, BufferLayout.HEADROOM, length, new Counters("t"), (buf, off, len) -> {
            byte[] copy = new byte[len];
            buf.get(off, copy);
            out.add(copy);
        });
        return out;
    }

    @Test
    public void ipv4GsoBecomesValidMssSegments() {
        byte[] payload = new byte[5000];
        new Random(7).nextBytes(payload);
        int mss = 1348;
        List<byte[]> segs = segment(gsoFrame(false, payload.length, mss, 0x18 | 0x01 | 0x80, payload), 14 + 20 + 20 + payload.length);
        assertEquals(4, segs.size());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < segs.size(); i++) {
            byte[] s = segs.get(i);
            ByteBuffer b = ByteBuffer.wrap(s);
            int chunk = Math.min(mss, payload.length - i * mss);
            assertEquals(14 + 40 + chunk, s.length);
            assertEquals("IPv4 total length", 40 + chunk, b.getShort(16) & 0xFFFF);
            assertEquals("IPv4 id", 0x1234 + i, b.getShort(18) & 0xFFFF);
            assertEquals("IPv4 header checksum verifies", 0xFFFF, sum16(s, 14, 34, 0));
            assertEquals("sequence number", (0xFFFFF000L + (long) i * mss) & 0xFFFFFFFFL, b.getInt(34 + 4) & 0xFFFFFFFFL);
            int flags = s[34 + 13] & 0xFF;
            boolean last = i == segs.size() - 1;
            assertEquals("FIN/PSH only on the last", last ? 0x09 : 0, flags & 0x09);
            assertEquals("CWR only on the first", i == 0 ? 0x80 : 0, flags & 0x80);
            assertEquals("ACK kept", 0x10, flags & 0x10);
            assertArrayEquals("MAC addresses kept", ETHERNET, Arrays.copyOf(s, 12));
            assertEquals("DF kept", 0x4000, b.getShort(20));
            assertEquals("TTL kept", 64, b.get(22));
            assertEquals("ports kept", 40000, b.getShort(34) & 0xFFFF);
            assertEquals(5201, b.getShort(36));
            assertEquals("ACK number kept", 777, b.getInt(42));
            assertEquals("window kept", 512, b.getShort(48));
            long pseudo = sum16(s, 26, 34, 0) + 6 + 20 + chunk;
            assertEquals("TCP checksum verifies", 0xFFFF, sum16(s, 34, s.length, pseudo));
            joined.write(s, 54, chunk);
        }
        assertArrayEquals(payload, joined.toByteArray());
    }

    @Test
    public void ipv6GsoBecomesValidMssSegments() {
        byte[] payload = new byte[3000];
        new Random(9).nextBytes(payload);
        int mss = TcpSegmenter.MIN_MSS_IPV6;
        List<byte[]> segs = segment(gsoFrame(true, payload.length, mss, 0x10, payload), 14 + 40 + 20 + payload.length);
        assertEquals(3, segs.size());
        for (int i = 0; i < segs.size(); i++) {
            byte[] s = segs.get(i);
            ByteBuffer b = ByteBuffer.wrap(s);
            int chunk = Math.min(mss, payload.length - i * mss);
            assertEquals("IPv6 payload length", 20 + chunk, b.getShort(18) & 0xFFFF);
            long pseudo = sum16(s, 22, 54, 0) + 6 + 20 + chunk;
            assertEquals("TCP checksum verifies", 0xFFFF, sum16(s, 54, s.length, pseudo));
            assertEquals((0xFFFFF000L + (long) i * mss) & 0xFFFFFFFFL, b.getInt(54 + 4) & 0xFFFFFFFFL);
        }
    }

    /**
     * Segments stay where they were handed out until the sink lets go of them: a batch sends them
     * all at once. Each has the headroom in front; when the buffer fills (here: several 60 KB
     * frames read before the reader flushed), the sink is asked to let go first.
     */
    @Test
    public void segmentsStayInPlaceUntilTheSinkLetsGo() {
        int frames = 5;
        byte[] payload = new byte[60_000];
        int mss = TcpSegmenter.MIN_MSS_IPV4; // 112 segments a frame: more than the buffer holds for five
        List<int[]> held = new ArrayList<>();
        ByteBuffer[] buffer = new ByteBuffer[1];
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int[] reuses = {0};
        TcpSegmenter segmenter = new TcpSegmenter();
        TcpSegmenter.Sink sink = new TcpSegmenter.Sink() {
            @Override
            public void frame(ByteBuffer buf, int off, int len) {
                buffer[0] = buf;
                int previousEnd = held.isEmpty() ? 0 : held.get(held.size() - 1)[0] + held.get(held.size() - 1)[1];
                assertTrue("headroom in front of every segment", off - previousEnd >= BufferLayout.HEADROOM);
                held.add(new int[] {off, len});
            }

            @Override
            public void reuse() {
                reuses[0]++;
                check(); // everything handed out is still intact when the segmenter wants its buffer back
            }

            void check() {
                for (int[] h : held) {
                    byte[] s = new byte[h[1]];
                    buffer[0].get(h[0], s);
                    assertEquals("TCP checksum verifies", 0xFFFF, sum16(s, 34, s.length, sum16(s, 26, 34, 0) + 6 + s.length - 34));
                    joined.write(s, 54, s.length - 54);
                }
                held.clear();
            }
        };
        Random random = new Random(11);
        for (int i = 0; i < frames; i++) {
            random.nextBytes(payload);
            expected.writeBytes(payload);
            ByteBuffer frame = gsoFrame(false, payload.length, mss, 0x10, payload);
            segmenter.process(frame, HEADER, BufferLayout.HEADROOM, 14 + 40 + payload.length, new Counters("t"), sink);
        }
        assertTrue("the sink was asked to let go before the buffer was reused", reuses[0] >= 1);
        sink.reuse();
        assertArrayEquals(expected.toByteArray(), joined.toByteArray());
    }

    // ---------------------------------------------------------------- the guest is not trusted (issue 17)

    private static Counters refused(ByteBuffer frame, int length) {
        Counters counters = new Counters("t");
        List<byte[]> out = new ArrayList<>();
        new TcpSegmenter().process(frame, HEADER, BufferLayout.HEADROOM, length, counters, (buf, off, len) -> out.add(new byte[len]));
        assertEquals("nothing is sent", 0, out.size());
        return counters;
    }

    @Test
    public void anMssBelowWhatTheProtocolGuaranteesIsRefusedNotCutIntoThousandsOfPackets() {
        byte[] payload = new byte[60_000];
        assertEquals(1, refused(gsoFrame(false, payload.length, 1, 0x10, payload), 14 + 40 + payload.length)
                .drops(TcpSegmenter.GSO_MSS_TOO_SMALL));
        assertEquals(1, refused(gsoFrame(false, payload.length, TcpSegmenter.MIN_MSS_IPV4 - 1, 0x10, payload), 14 + 40 + payload.length)
                .drops(TcpSegmenter.GSO_MSS_TOO_SMALL));
        assertEquals(1, refused(gsoFrame(true, payload.length, TcpSegmenter.MIN_MSS_IPV6 - 1, 0x10, payload), 14 + 60 + payload.length)
                .drops(TcpSegmenter.GSO_MSS_TOO_SMALL));
        assertEquals("the least IPv6 guarantees is taken", 50,
                segment(gsoFrame(true, payload.length, TcpSegmenter.MIN_MSS_IPV6, 0x10, payload), 14 + 60 + payload.length).size());
    }

    @Test
    public void anIpv4HeaderShorterThanTwentyBytesIsRefused() {
        byte[] payload = new byte[3000];
        for (int ihl = 0; ihl < 5; ihl++) {
            ByteBuffer frame = gsoFrame(false, payload.length, 1000, 0x10, payload);
            frame.put(BufferLayout.HEADROOM + 14, (byte) (0x40 | ihl));
            assertEquals("IHL " + ihl, 1, refused(frame, 14 + 40 + payload.length).drops(TcpSegmenter.MALFORMED_GSO));
        }
    }

    @Test
    public void aTcpv6FrameThatIsNotIpv6IsRefused() {
        byte[] payload = new byte[3000];
        ByteBuffer frame = gsoFrame(true, payload.length, 1300, 0x10, payload);
        frame.put(BufferLayout.HEADROOM + 14, (byte) 0x40); // version 4 in an IPv6 ethertype and a TCPV6 header
        assertEquals(1, refused(frame, 14 + 60 + payload.length).drops(TcpSegmenter.MALFORMED_GSO));
    }

    @Test
    public void ipv4OptionsAreCopiedIntoEverySegment() {
        byte[] payload = new byte[2500];
        new Random(5).nextBytes(payload);
        ByteBuffer plain = gsoFrame(false, payload.length, 1000, 0x10, payload);
        // Rebuild with 4 bytes of IP options (a NOP and an end-of-list, padded): IHL 6.
        ByteBuffer frame = ByteBuffer.allocateDirect(plain.capacity());
        int f = BufferLayout.HEADROOM;
        for (int i = 0; i < HEADER + 10; i++) {
            frame.put(i, plain.get(i));
        }
        frame.put(f, plain, f, 14 + 20);
        frame.put(f + 14, (byte) 0x46).putShort(f + 16, (short) (24 + 20 + payload.length));
        frame.putInt(f + 34, 0x01000000); // NOP, EOL, padding
        frame.put(f + 38, plain, f + 34, 20 + payload.length);
        List<byte[]> segs = segment(frame, 14 + 24 + 20 + payload.length);
        assertEquals(3, segs.size());
        for (byte[] s : segs) {
            ByteBuffer b = ByteBuffer.wrap(s);
            assertEquals("IHL kept", 0x46, s[14]);
            assertEquals("options kept", 0x01000000, b.getInt(34));
            assertEquals("IPv4 header checksum verifies, options included", 0xFFFF, sum16(s, 14, 38, 0));
            int tcpLength = s.length - 38;
            assertEquals("IPv4 total length", 24 + tcpLength, b.getShort(16) & 0xFFFF);
            assertEquals("TCP checksum verifies", 0xFFFF, sum16(s, 38, s.length, sum16(s, 26, 34, 0) + 6 + tcpLength));
        }
    }

    @Test
    public void aVlanTaggedFrameIsCutWithItsTagInEverySegment() {
        byte[] payload = new byte[2500];
        new Random(6).nextBytes(payload);
        ByteBuffer plain = gsoFrame(false, payload.length, 1000, 0x10, payload);
        ByteBuffer frame = ByteBuffer.allocateDirect(plain.capacity());
        int f = BufferLayout.HEADROOM;
        for (int i = 0; i < HEADER + 10; i++) {
            frame.put(i, plain.get(i));
        }
        frame.put(f, plain, f, 12);
        frame.putShort(f + 12, (short) 0x8100).putShort(f + 14, (short) 10);
        frame.put(f + 16, plain, f + 12, 2 + 40 + payload.length);
        List<byte[]> segs = segment(frame, 18 + 40 + payload.length);
        assertEquals(3, segs.size());
        for (int i = 0; i < segs.size(); i++) {
            byte[] s = segs.get(i);
            ByteBuffer b = ByteBuffer.wrap(s);
            assertEquals("tag kept", 0x8100, b.getShort(12) & 0xFFFF);
            assertEquals("VLAN 10", 10, b.getShort(14));
            assertEquals("IPv4 header checksum verifies", 0xFFFF, sum16(s, 18, 38, 0));
            assertEquals("sequence wraps", (0xFFFFF000L + i * 1000L) & 0xFFFFFFFFL, b.getInt(38 + 4) & 0xFFFFFFFFL);
            int tcpLength = s.length - 38;
            assertEquals("TCP checksum verifies", 0xFFFF, sum16(s, 38, s.length, sum16(s, 30, 38, 0) + 6 + tcpLength));
        }
    }

    @Test
    public void partialChecksumIsCompletedAndPlainFramesPassThrough() {
        ByteBuffer b = ByteBuffer.allocateDirect(BufferLayout.HEADROOM + 200);
        int f = BufferLayout.HEADROOM;
        b.put(HEADER, (byte) 1); // NEEDS_CSUM, GSO_NONE
        b.put(HEADER + 6, (byte) 34).put(HEADER + 8, (byte) 6); // csum_start = UDP header, csum_offset = 6
        b.putShort(f + 12, (short) 0x0800);
        b.put(f + 14, (byte) 0x45).putShort(f + 16, (short) 48).put(f + 23, (byte) 17).putInt(f + 26, 0x0A000001).putInt(f + 30, 0x0A000002);
        b.putShort(f + 34, (short) 1000).putShort(f + 36, (short) 2000).putShort(f + 38, (short) 28);
        for (int i = 42; i < 62; i++) {
            b.put(f + i, (byte) (i * 3));
        }
        byte[] pseudoBytes = new byte[12];
        b.get(f + 26, pseudoBytes, 0, 8);
        int pseudo = sum16(pseudoBytes, 0, 8, 17 + 28);
        b.putShort(f + 40, (short) pseudo); // what the kernel leaves: the pseudo-header sum, not complemented
        List<byte[]> out = segment(b, 62);
        assertEquals(1, out.size());
        byte[] s = out.get(0);
        assertEquals("UDP checksum now verifies", 0xFFFF, sum16(s, 34, 62, sum16(pseudoBytes, 0, 8, 17 + 28)));
        assertTrue(s.length == 62);
    }
}
