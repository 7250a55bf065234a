package org.overlaygate.core.vnic;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.Test;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.core.os.GatherList;

/**
 * The receive path's userspace GRO, checked against headers and checksums computed here byte by
 * byte, independently of the code under test: in-order segments of a flow become one write with
 * the vnet header the kernel expects; out-of-order, lost, mixed-flow, corrupted and otherwise
 * different segments are never merged, go out unchanged, and never change a flow's order.
 */
public class TcpCoalescerTest {
    private static final long MAC_VM = 0x02_00_00_00_00_01L;
    private static final long MAC_PEER = 0x02_00_00_00_00_02L;
    private static final int SRC = 0xC0A8_6402;
    private static final int DST = 0xC0A8_6401;
    private static final int MSS = 1000;
    private static final long SEQ = 0xFFFF_F000L; // wraps within a few segments

    /** What the fake TAP was given: a plain frame, or a coalesced one with its vnet header. */
    static final class Write {
        final boolean coalesced;
        final byte[] header;
        final byte[] frame;

        Write(boolean coalesced, byte[] header, byte[] frame) {
            this.coalesced = coalesced;
            this.header = header;
            this.frame = frame;
        }

        ByteBuffer vnet() {
            return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        }

        ByteBuffer frame() {
            return ByteBuffer.wrap(frame);
        }
    }

    /** A TAP that records what it is written. */
    static class FakeTap implements FramePort {
        final List<Write> writes = new ArrayList<>();
        boolean takesCoalesced = true;
        boolean record = true;
        int frames;
        /** Thrown by the next coalesced write, then cleared. */
        RuntimeException failNext;

        @Override
        public String osName() {
            return "faketap";
        }

        @Override
        public long macAddress() {
            return MAC_VM;
        }

        @Override
        public int read(ByteBuffer direct, int offset, int timeoutMillis) {
            return 0;
        }

        @Override
        public String write(ByteBuffer direct, int offset, int length) {
            frames++;
            if (record) {
                byte[] f = new byte[length];
                direct.get(offset, f);
                writes.add(new Write(false, new byte[0], f));
            }
            return null;
        }

        @Override
        public boolean takesCoalesced() {
            return takesCoalesced;
        }

        @Override
        public String writeCoalesced(GatherList frame) {
            RuntimeException failure = failNext;
            if (failure != null) {
                failNext = null;
                throw failure;
            }
            frames++;
            if (record) {
                byte[] all = frame.toArray();
                writes.add(new Write(true, Arrays.copyOf(all, 10), Arrays.copyOfRange(all, 10, all.length)));
            }
            return null;
        }

        @Override
        public void close() {
        }
    }

    private final FakeTap tap = new FakeTap();
    private final PortVnic vnic = new PortVnic("vnic", MAC_VM, null, VnicConfig.Kind.TAP, tap);
    private final TcpCoalescer coalescer = new TcpCoalescer();
    /** Frames are laid out one after the other here, as a receive vector holds them. */
    private final ByteBuffer received = ByteBuffer.allocateDirect(1 << 20);
    private int next = 16;
    private final Random random = new Random(42);

    // ---------------------------------------------------------------- frames, built and checked independently

    /** A segment's fields; build() lays it out. */
    final class Segment {
        boolean v6;
        long seq = SEQ;
        int ack = 0x1234_5678;
        int flags = 0x10;
        int payload = MSS;
        int ttl = 64;
        int tos = 0;
        boolean df = true;
        int window = 501;
        boolean timestamps = true;
        int tsval = 100;
        int srcPort = 40000;
        long srcMac = MAC_PEER;
        boolean corruptTcp;
        boolean corruptIp;
        int id = 7;
        byte fill;

        Segment at(long s) {
            seq = s & 0xFFFF_FFFFL;
            return this;
        }

        Segment payload(int n) {
            payload = n;
            return this;
        }

        Segment flags(int f) {
            flags = f;
            return this;
        }

        /** Lays the frame out in the receive buffer; returns {offset, length}. */
        int[] build() {
            int tcpHeader = timestamps ? 32 : 20;
            int ipHeader = v6 ? 40 : 20;
            int length = 14 + ipHeader + tcpHeader + payload;
            int f = next;
            next = (next + length + 8 + 7) & ~7; // an 8-byte VXLAN header in between, as in a GRO train
            ByteBuffer b = received;
            for (int i = 0; i < length; i++) {
                b.put(f + i, (byte) 0);
            }
            putMac(b, f, MAC_VM);
            putMac(b, f + 6, srcMac);
            b.putShort(f + 12, (short) (v6 ? 0x86DD : 0x0800));
            int l3 = f + 14;
            if (v6) {
                b.putInt(l3, 0x6000_0000 | (tos << 20) | 0x12345);
                b.putShort(l3 + 4, (short) (tcpHeader + payload));
                b.put(l3 + 6, (byte) 6).put(l3 + 7, (byte) ttl);
                for (int i = 0; i < 16; i++) {
                    b.put(l3 + 8 + i, (byte) (0xFD + i));
                    b.put(l3 + 24 + i, (byte) (0x20 + i));
                }
            } else {
                b.put(l3, (byte) 0x45).put(l3 + 1, (byte) tos).putShort(l3 + 2, (short) (20 + tcpHeader + payload));
                b.putShort(l3 + 4, (short) id).putShort(l3 + 6, (short) (df ? 0x4000 : 0)).put(l3 + 8, (byte) ttl).put(l3 + 9, (byte) 6);
                b.putInt(l3 + 12, SRC).putInt(l3 + 16, DST);
                b.putShort(l3 + 10, (short) ~sum16(b, l3, 20, 0));
                if (corruptIp) {
                    b.put(l3 + 8, (byte) (ttl + 1)); // the header checksum no longer verifies
                }
            }
            int l4 = l3 + ipHeader;
            b.putShort(l4, (short) srcPort).putShort(l4 + 2, (short) 5201).putInt(l4 + 4, (int) seq).putInt(l4 + 8, ack);
            b.put(l4 + 12, (byte) ((tcpHeader / 4) << 4)).put(l4 + 13, (byte) flags).putShort(l4 + 14, (short) window);
            if (timestamps) {
                b.putInt(l4 + 20, 0x0101080A).putInt(l4 + 24, tsval).putInt(l4 + 28, 99);
            }
            for (int i = 0; i < payload; i++) {
                b.put(l4 + tcpHeader + i, (byte) (fill + random.nextInt(256)));
            }
            b.putShort(l4 + 16, (short) ~sum16(b, l4, tcpHeader + payload, pseudo(b, l3, v6, tcpHeader + payload)));
            if (corruptTcp) {
                b.put(l4 + tcpHeader, (byte) (b.get(l4 + tcpHeader) ^ 0x40)); // a bit flipped in transit
            }
            return new int[] {f, length};
        }
    }

    Segment segment(long seq) {
        return new Segment().at(seq);
    }

    /** The 16-bit one's-complement sum, folded, byte by byte. */
    static int sum16(ByteBuffer b, int from, int length, long start) {
        long s = start;
        for (int i = 0; i < length; i += 2) {
            s += ((b.get(from + i) & 0xFF) << 8) | (i + 1 < length ? b.get(from + i + 1) & 0xFF : 0);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    static long pseudo(ByteBuffer b, int l3, boolean v6, int tcpLength) {
        return sum16(b, v6 ? l3 + 8 : l3 + 12, v6 ? 32 : 8, 0) + 6 + tcpLength;
    }

    static void putMac(ByteBuffer b, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            b.put(at + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    private int[] deliver(Segment s) {
        int[] f = s.build();
        coalescer.deliver(vnic, received, f[0], f[1]);
        return f;
    }

    private byte[] bytes(int[] f) {
        byte[] out = new byte[f[1]];
        received.get(f[0], out);
        return out;
    }

    private static byte[] payloadOf(byte[] frame, int headers) {
        return Arrays.copyOfRange(frame, headers, frame.length);
    }

    // ---------------------------------------------------------------- in order

    @Test
    public void inOrderSegmentsOfOneFlowBecomeOneGsoWrite() {
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Segment s = segment(SEQ + (long) i * MSS);
            s.payload = i == 4 ? 500 : MSS;
            s.flags = i == 4 ? 0x18 : 0x10; // PSH on the last
            s.id = 7 + i;
            inputs.add(bytes(deliver(s)));
        }
        assertEquals("held until the batch ends", 0, tap.writes.size());
        coalescer.flush();
        assertEquals(1, tap.writes.size());
        Write w = tap.writes.get(0);
        assertTrue(w.coalesced);
        ByteBuffer h = w.vnet();
        assertEquals("NEEDS_CSUM", 1, h.get(0));
        assertEquals("GSO TCPV4", 1, h.get(1));
        assertEquals("hdr_len: Ethernet, IPv4 and TCP with options", 14 + 20 + 32, h.getShort(2));
        assertEquals("gso_size: the MSS", MSS, h.getShort(4));
        assertEquals("csum_start: the TCP header", 34, h.getShort(6));
        assertEquals("csum_offset: TCP's checksum field", 16, h.getShort(8));

        ByteBuffer f = w.frame();
        byte[] first = inputs.get(0);
        int total = 4 * MSS + 500;
        assertEquals(14 + 20 + 32 + total, w.frame.length);
        assertArrayEquals("Ethernet header", Arrays.copyOf(first, 14), Arrays.copyOf(w.frame, 14));
        assertEquals("IPv4 total length", 20 + 32 + total, f.getShort(16) & 0xFFFF);
        assertEquals("IPv4 id of the first", 7, f.getShort(18));
        assertEquals("DF kept", 0x4000, f.getShort(20));
        assertEquals("TTL kept", 64, f.get(22));
        assertEquals("IPv4 header checksum verifies", 0xFFFF, sum16(f, 14, 20, 0));
        assertEquals("sequence of the first", (int) SEQ, f.getInt(38));
        assertEquals("ACK", 0x1234_5678, f.getInt(42));
        assertEquals("flags: ACK, and PSH of the last", 0x18, f.get(47));
        assertEquals("window", 501, f.getShort(48));
        assertArrayEquals("options", Arrays.copyOfRange(first, 54, 66), Arrays.copyOfRange(w.frame, 54, 66));
        int partial = f.getShort(50) & 0xFFFF;
        assertEquals("the checksum field holds the pseudo-header's sum over the whole segment", sum16(f, 26, 8, 6 + 32 + total), partial);
        f.putShort(50, (short) 0);
        f.putShort(50, (short) ~sum16(f, 34, 32 + total, partial)); // as the kernel completes it
        assertEquals("completed, the TCP checksum verifies", 0xFFFF, sum16(f, 34, 32 + total, pseudo(f, 14, false, 32 + total)));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] in : inputs) {
            joined.writeBytes(payloadOf(in, 66));
        }
        assertArrayEquals("the payloads, in order", joined.toByteArray(), payloadOf(w.frame, 66));
        assertEquals("counted per segment received", 5, vnic.counters().packetsOut());
        assertEquals(inputs.stream().mapToLong(b -> b.length).sum(), vnic.counters().snapshot().bytesOut());
    }

    @Test
    public void ipv6SegmentsCoalesceToo() {
        for (int i = 0; i < 3; i++) {
            Segment s = segment(SEQ + (long) i * MSS);
            s.v6 = true;
            deliver(s);
        }
        coalescer.flush();
        assertEquals(1, tap.writes.size());
        Write w = tap.writes.get(0);
        assertEquals("GSO TCPV6", 4, w.vnet().get(1));
        assertEquals(14 + 40 + 32, w.vnet().getShort(2));
        assertEquals(14 + 40, w.vnet().getShort(6));
        ByteBuffer f = w.frame();
        assertEquals("IPv6 payload length", 32 + 3 * MSS, f.getShort(18) & 0xFFFF);
        assertEquals("flow label kept", 0x6000_0000 | 0x12345, f.getInt(14));
        assertEquals(sum16(f, 22, 32, 6 + 32 + 3 * MSS), f.getShort(14 + 40 + 16) & 0xFFFF);
    }

    // ---------------------------------------------------------------- order, losses, flows

    @Test
    public void outOfOrderSegmentsGoOutAloneAndUnchangedInTheOrderTheyCame() {
        byte[] s0 = bytes(deliver(segment(SEQ)));
        byte[] s2 = bytes(deliver(segment(SEQ + 2 * MSS)));
        byte[] s1 = bytes(deliver(segment(SEQ + MSS)));
        coalescer.flush();
        assertEquals(3, tap.writes.size());
        for (Write w : tap.writes) {
            assertFalse(w.coalesced);
        }
        assertArrayEquals(s0, tap.writes.get(0).frame);
        assertArrayEquals(s2, tap.writes.get(1).frame);
        assertArrayEquals(s1, tap.writes.get(2).frame);
    }

    @Test
    public void aLostSegmentInTheMiddleSplitsTheFrameInTwo() {
        deliver(segment(SEQ));
        deliver(segment(SEQ + MSS));
        // SEQ + 2 * MSS lost
        deliver(segment(SEQ + 3 * MSS));
        deliver(segment(SEQ + 4 * MSS));
        coalescer.flush();
        assertEquals(2, tap.writes.size());
        assertTrue(tap.writes.get(0).coalesced && tap.writes.get(1).coalesced);
        assertEquals((int) SEQ, tap.writes.get(0).frame().getInt(38));
        assertEquals(20 + 32 + 2 * MSS, tap.writes.get(0).frame().getShort(16) & 0xFFFF);
        assertEquals((int) (SEQ + 3 * MSS), tap.writes.get(1).frame().getInt(38));
        assertEquals(20 + 32 + 2 * MSS, tap.writes.get(1).frame().getShort(16) & 0xFFFF);
    }

    @Test
    public void interleavedFlowsCoalesceEachOnItsOwnAndOtherFramesGoAtOnce() {
        for (int i = 0; i < 3; i++) {
            deliver(segment(SEQ + (long) i * MSS));
            Segment b = segment(0x100 + (long) i * MSS);
            b.srcPort = 40001;
            deliver(b);
            if (i == 1) {
                Segment udp = segment(0);
                int[] f = udp.build();
                received.put(f[0] + 14 + 9, (byte) 17); // UDP: not TCP
                coalescer.deliver(vnic, received, f[0], f[1]);
                assertEquals("a frame of another protocol goes at once", 1, tap.writes.size());
            }
        }
        coalescer.flush();
        assertEquals(3, tap.writes.size());
        int coalesced = 0;
        for (Write w : tap.writes.subList(1, 3)) {
            assertTrue(w.coalesced);
            assertEquals(20 + 32 + 3 * MSS, w.frame().getShort(16) & 0xFFFF);
            coalesced += w.frame().getShort(34) == (short) 40000 ? 1 : 10;
        }
        assertEquals("one frame per flow", 11, coalesced);
    }

    // ---------------------------------------------------------------- checksums

    @Test
    public void aCorruptedSegmentIsNeverMergedAndKeepsItsPlaceInTheFlow() {
        deliver(segment(SEQ));
        deliver(segment(SEQ + MSS));
        Segment bad = segment(SEQ + 2 * MSS);
        bad.corruptTcp = true;
        byte[] badBytes = bytes(deliver(bad));
        deliver(segment(SEQ + 3 * MSS));
        coalescer.flush();
        assertEquals(3, tap.writes.size());
        assertTrue(tap.writes.get(0).coalesced);
        assertEquals(20 + 32 + 2 * MSS, tap.writes.get(0).frame().getShort(16) & 0xFFFF);
        assertFalse(tap.writes.get(1).coalesced);
        assertArrayEquals("the corrupted one, unchanged, for the stack to drop", badBytes, tap.writes.get(1).frame);
        assertFalse("the next one alone: it no longer follows anything open", tap.writes.get(2).coalesced);
    }

    @Test
    public void aCorruptedFirstSegmentIsWrittenAloneAndTheRestCoalesce() {
        Segment bad = segment(SEQ);
        bad.corruptTcp = true;
        byte[] badBytes = bytes(deliver(bad));
        deliver(segment(SEQ + MSS));
        deliver(segment(SEQ + 2 * MSS));
        coalescer.flush();
        assertEquals(2, tap.writes.size());
        assertArrayEquals(badBytes, tap.writes.get(0).frame);
        assertTrue(tap.writes.get(1).coalesced);
        assertEquals(20 + 32 + 2 * MSS, tap.writes.get(1).frame().getShort(16) & 0xFFFF);
    }

    @Test
    public void aCorruptedIpv4HeaderIsNeverMerged() {
        deliver(segment(SEQ));
        Segment bad = segment(SEQ + MSS);
        bad.corruptIp = true;
        deliver(bad);
        coalescer.flush();
        assertEquals(2, tap.writes.size());
        assertFalse(tap.writes.get(0).coalesced);
        assertFalse(tap.writes.get(1).coalesced);
    }

    // ---------------------------------------------------------------- what may not merge

    @Test
    public void segmentsThatDifferInAnyHeaderFieldTheKernelComparesAreNotMerged() {
        List<java.util.function.Consumer<Segment>> changes = List.of(s -> s.ack++, s -> s.ttl = 63, s -> s.tos = 0x10, s -> s.df = false,
                s -> s.tsval++, s -> s.timestamps = false, s -> s.srcMac = 0x02_00_00_00_00_09L);
        for (java.util.function.Consumer<Segment> change : changes) {
            tap.writes.clear();
            deliver(segment(SEQ));
            Segment other = segment(SEQ + MSS);
            change.accept(other);
            deliver(other);
            coalescer.flush();
            assertEquals(2, tap.writes.size());
            assertFalse(tap.writes.get(0).coalesced || tap.writes.get(1).coalesced);
        }
    }

    @Test
    public void flagsOtherThanAckAndPushAreNeitherMergedNorReordered() {
        deliver(segment(SEQ));
        deliver(segment(SEQ + MSS));
        byte[] fin = bytes(deliver(segment(SEQ + 2 * MSS).flags(0x11)));
        assertEquals("the flow's open frame goes first, then the FIN", 2, tap.writes.size());
        assertTrue(tap.writes.get(0).coalesced);
        assertArrayEquals(fin, tap.writes.get(1).frame);

        tap.writes.clear();
        deliver(segment(SEQ).flags(0x18)); // PSH ends a frame: nothing joins it
        deliver(segment(SEQ + MSS));
        deliver(segment(SEQ + 2 * MSS).payload(0)); // a pure ACK carries nothing to merge
        coalescer.flush();
        assertEquals(3, tap.writes.size());
        for (Write w : tap.writes) {
            assertFalse(w.coalesced);
        }
    }

    @Test
    public void nothingFollowsAShortSegmentNorALargerOne() {
        deliver(segment(SEQ));
        deliver(segment(SEQ + MSS).payload(600));
        deliver(segment(SEQ + MSS + 600));
        coalescer.flush();
        assertEquals(2, tap.writes.size());
        assertEquals(20 + 32 + MSS + 600, tap.writes.get(0).frame().getShort(16) & 0xFFFF);
        assertFalse(tap.writes.get(1).coalesced);

        tap.writes.clear();
        deliver(segment(SEQ).payload(500));
        deliver(segment(SEQ + 500).payload(MSS)); // larger than the first: the first sets the MSS
        coalescer.flush();
        assertEquals(2, tap.writes.size());
    }

    @Test
    public void aFrameHoldsAtMost64SegmentsAnd64KiB() {
        for (int i = 0; i < 70; i++) {
            deliver(segment(SEQ + (long) i * 100).payload(100));
        }
        coalescer.flush();
        assertEquals(2, tap.writes.size());
        assertEquals(20 + 32 + 64 * 100, tap.writes.get(0).frame().getShort(16) & 0xFFFF);
        assertEquals(20 + 32 + 6 * 100, tap.writes.get(1).frame().getShort(16) & 0xFFFF);

        tap.writes.clear();
        int mss = 8900;
        for (int i = 0; i < 8; i++) {
            deliver(segment(SEQ + (long) i * mss).payload(mss));
        }
        coalescer.flush();
        assertEquals("7 x 8900 fits an IPv4 packet, 8 do not", 2, tap.writes.size());
        assertEquals(20 + 32 + 7 * mss, tap.writes.get(0).frame().getShort(16) & 0xFFFF);
    }

    /**
     * Issue 17: a write that threw in flush() left the other open flows pointing into the receive
     * buffer the next batch reuses; their later write sent those new bytes as a coalesced segment
     * marked CHECKSUM_PARTIAL (silent corruption). Every flow is written or forgotten, whatever a
     * write does.
     */
    @Test
    public void aWriteThatThrowsLeavesNoOtherFlowOpenIntoTheNextBatch() {
        for (int port : new int[] {40000, 40001}) {
            for (int i = 0; i < 3; i++) {
                Segment s = segment(SEQ + (long) i * MSS);
                s.srcPort = port;
                deliver(s);
            }
        }
        tap.failNext = new IllegalStateException("a bug below the coalescer");
        IllegalStateException thrown = org.junit.Assert.assertThrows(IllegalStateException.class, coalescer::flush);
        assertEquals("a bug below the coalescer", thrown.getMessage());
        assertEquals("the other flow was still written", 1, tap.writes.size());
        next = 16; // the next batch reuses the buffer
        deliver(segment(SEQ).flags(0x11)); // a FIN: written at once, alone
        coalescer.flush();
        assertEquals("nothing stale was written after it", 2, tap.writes.size());
        assertFalse(tap.writes.get(1).coalesced);
    }

    @Test
    public void aVnicThatTakesNoCoalescedFramesGetsEveryFrameAtOnce() {
        tap.takesCoalesced = false;
        deliver(segment(SEQ));
        deliver(segment(SEQ + MSS));
        assertEquals(2, tap.writes.size());
        coalescer.flush();
        assertEquals(2, tap.writes.size());
    }

    // ---------------------------------------------------------------- allocation

    @Test
    public void coalescingAllocatesNothing() throws IOException {
        tap.record = false;
        int[][] frames = new int[20][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = segment(SEQ + (long) i * MSS).build();
        }
        int used = next;
        ByteBuffer pristine = ByteBuffer.allocateDirect(used);
        pristine.put(0, received, 0, used);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Runnable batch = () -> {
            received.put(0, pristine, 0, used); // a new batch: writing a coalesced frame rewrote the first one's headers
            for (int[] f : frames) {
                coalescer.deliver(vnic, received, f[0], f[1]);
            }
            coalescer.flush();
        };
        for (int i = 0; i < 20_000; i++) {
            batch.run();
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 10_000; i++) {
            batch.run();
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals("one coalesced write per batch", 30_000, tap.frames);
        assertTrue("allocated " + allocated + " bytes over 200,000 segments", allocated < 1000);
    }
}
