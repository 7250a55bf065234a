package org.overlaygate.encap.geneve;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import org.junit.Test;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.property.PropertyException;

/** The header byte for byte both ways, every refusal by its reason, and no input that throws or allocates. */
public class GeneveCodecTest {
    private static final int INNER = 60;
    private final GeneveDecapsulator decap = new GeneveDecapsulator();
    private final DecapResult result = new DecapResult();

    /** A Geneve packet: the 8-byte header given by its fields, the option area, then a 60-byte inner frame 0, 1, 2 ... */
    private static ByteBuffer packet(int version, int flags, int protocol, long vni, byte[] options) {
        ByteBuffer buf = ByteBuffer.allocate(8 + options.length + INNER);
        buf.put((byte) ((version << 6) | (options.length / 4)));
        buf.put((byte) flags);
        buf.putShort((short) protocol);
        buf.putInt((int) (vni << 8));
        buf.put(options);
        for (int i = 0; i < INNER; i++) {
            buf.put((byte) i);
        }
        return buf.flip();
    }

    private static ByteBuffer packet(long vni, byte[] options) {
        return packet(0, 0, 0x6558, vni, options);
    }

    /** One option: class, type, and {@code words} 4-byte words of data, each byte 0xA5. */
    private static byte[] option(int optionClass, int type, int words) {
        byte[] o = new byte[4 + words * 4];
        o[0] = (byte) (optionClass >>> 8);
        o[1] = (byte) optionClass;
        o[2] = (byte) type;
        o[3] = (byte) words;
        Arrays.fill(o, 4, o.length, (byte) 0xA5);
        return o;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private void assertInnerFrame(ByteBuffer buf) {
        assertEquals(INNER, buf.remaining());
        for (int i = 0; i < INNER; i++) {
            assertEquals(i, buf.get(buf.position() + i));
        }
    }

    /**
     * Refused for {@code reason}: a header too short or of another version names no VNI (-1, counted
     * on the socket); any other names its VNI (1 in these packets), so that its overlay counts it.
     */
    private void assertRefused(String reason, ByteBuffer buf) {
        assertFalse(reason, decap.decapsulate(buf, result));
        assertEquals(reason, result.dropReason());
        boolean unread = reason.equals(GeneveDecapsulator.DROP_SHORT) || reason.equals(GeneveDecapsulator.DROP_VERSION);
        assertEquals(reason, unread ? -1 : 1, result.vnetId());
    }

    // ---------------------------------------------------------------- transmit

    @Test
    public void encapsulatesTheRfc8926HeaderWithoutOptionsExactly() {
        ByteBuffer buf = ByteBuffer.allocate(24);
        GeneveEncapsulator.PLAIN.encapsulate(buf, 4, 0x123456, 0xdeadbeef);
        assertArrayEquals(new byte[] {0x00, 0x00, 0x65, 0x58, 0x12, 0x34, 0x56, 0x00}, Arrays.copyOfRange(buf.array(), 4, 12));
        assertEquals("nothing written around the header", 0, buf.get(3) | buf.get(12));
        assertEquals(0, buf.position());
        assertEquals(24, buf.limit());
        assertEquals(8, GeneveEncapsulator.PLAIN.headerLength());
    }

    @Test
    public void encapsulatesConfiguredOptionsWithTheirLengthAndCritical() throws PropertyException {
        GeneveEncapsulator e = new GeneveEncapsulator(GeneveOptions.parse("geneve/options", "0102:01:deadbeef,ffff:80:"));
        assertEquals(8 + 12, e.headerLength());
        ByteBuffer buf = ByteBuffer.allocate(e.headerLength());
        e.encapsulate(buf, 0, 42, 0);
        assertArrayEquals(new byte[] {0x03, 0x40, 0x65, 0x58, 0, 0, 42, 0, // Opt Len 3 words, C set
            0x01, 0x02, 0x01, 0x01, (byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, // class 0x0102, type 1, 1 word
            (byte) 0xff, (byte) 0xff, (byte) 0x80, 0x00}, buf.array()); // class 0xffff, type 0x80 (critical), no data
    }

    @Test
    public void nonCriticalOptionsLeaveCClear() throws PropertyException {
        GeneveEncapsulator e = new GeneveEncapsulator(GeneveOptions.parse("geneve/options", "0103:7f:0000000100000002"));
        ByteBuffer buf = ByteBuffer.allocate(e.headerLength());
        e.encapsulate(buf, 0, 1, 0);
        assertEquals(0x03, buf.get(0));
        assertEquals(0x00, buf.get(1));
    }

    // ---------------------------------------------------------------- receive

    @Test
    public void decapsulatesToTheInnerFrame() {
        ByteBuffer buf = packet(4242, new byte[0]);
        assertTrue(decap.decapsulate(buf, result));
        assertEquals(4242, result.vnetId());
        assertNull(result.dropReason());
        assertEquals(8, buf.position());
        assertInnerFrame(buf);
    }

    @Test
    public void nonCriticalOptionsOf0To252BytesAllGiveTheSameFrame() {
        for (int total = 0; total <= 252; total += 4) {
            ByteBuffer options = ByteBuffer.allocate(total);
            int cls = 0;
            while (options.hasRemaining()) { // options as long as they may be (4 + 124 bytes), the last one shorter
                int words = Math.min(Geneve.MAX_OPTION_DATA, options.remaining() - 4) / 4;
                options.put(option(cls++, 0x7F & (cls * 37), words));
            }
            ByteBuffer buf = packet(0xABCDEF, options.array());
            assertTrue(total + " bytes of options: " + result.dropReason(), decap.decapsulate(buf, result));
            assertEquals(0xABCDEF, result.vnetId());
            assertEquals(8 + total, buf.position());
            assertInnerFrame(buf);
        }
    }

    @Test
    public void reservedBitsAreIgnoredOnReceipt() {
        byte[] options = option(0x0101, 0x01, 1);
        options[3] |= (byte) 0xE0; // R R R of the option
        ByteBuffer buf = packet(0, 0x3F, 0x6558, 77, options); // the six Rsvd. bits of the flags byte
        buf.put(7, (byte) 0xFF); // the Reserved byte after the VNI
        assertTrue(decap.decapsulate(buf, result));
        assertEquals(77, result.vnetId());
        assertInnerFrame(buf);
    }

    @Test
    public void fewerThanEightBytesAreShort() {
        for (int n = 0; n < 8; n++) {
            ByteBuffer buf = ByteBuffer.wrap(new byte[] {0, 0, 0x65, 0x58, 0, 0, 1, 0}, 0, n);
            assertRefused(GeneveDecapsulator.DROP_SHORT, buf);
        }
    }

    @Test
    public void versionsOtherThanZeroAreRefusedBeforeAnythingElseIsRead() {
        for (int version = 1; version <= 3; version++) {
            assertRefused(GeneveDecapsulator.DROP_VERSION, packet(version, 0, 0x6558, 1, new byte[0]));
            assertRefused(GeneveDecapsulator.DROP_VERSION, packet(version, 0xC0, 0x0800, 1, new byte[0]));
        }
    }

    @Test
    public void anOptionLengthPastThePacketIsRefused() {
        ByteBuffer whole = packet(1, option(1, 1, 2)); // 12 option bytes, 60 inner
        ByteBuffer cut = ByteBuffer.wrap(whole.array(), 0, 8 + 11);
        assertRefused(GeneveDecapsulator.DROP_OPTIONS_PAST_PACKET, cut);
        ByteBuffer claimsMore = packet(1, new byte[0]);
        claimsMore.put(0, (byte) 0x3F); // 252 bytes of options claimed, 60 there
        assertRefused(GeneveDecapsulator.DROP_OPTIONS_PAST_PACKET, claimsMore);
        ByteBuffer exact = ByteBuffer.wrap(whole.array(), 0, 8 + 12);
        assertTrue("options that end where the packet ends are not past it", decap.decapsulate(exact, result));
        assertEquals(0, exact.remaining());
    }

    @Test
    public void aProtocolTypeOtherThanEthernetIsRefused() {
        for (int protocol : new int[] {0x0800, 0x86DD, 0x6559, 0x0000, 0xFFFF}) {
            assertRefused(GeneveDecapsulator.DROP_PROTOCOL, packet(0, 0, protocol, 1, new byte[0]));
        }
    }

    @Test
    public void controlMessagesAreNeverDelivered() {
        assertRefused(GeneveDecapsulator.DROP_OAM, packet(0, 0x80, 0x6558, 1, new byte[0]));
        assertRefused(GeneveDecapsulator.DROP_OAM, packet(0, 0xC0, 0x6558, 1, option(1, 0x80, 0)));
    }

    @Test
    public void criticalOptionsAreRefusedWhetherCSaysSoOrNot() {
        assertRefused(GeneveDecapsulator.DROP_CRITICAL, packet(0, 0x40, 0x6558, 1, option(0x0102, 0x80, 1)));
        assertRefused(GeneveDecapsulator.DROP_CRITICAL, packet(0, 0x40, 0x6558, 1, option(0x0102, 0x01, 1)));
        assertRefused(GeneveDecapsulator.DROP_CRITICAL, packet(0, 0x00, 0x6558, 1, concat(option(1, 0x01, 3), option(2, 0xFF, 0))));
        assertTrue("the same class with the critical bit clear passes", decap.decapsulate(
                packet(0, 0x00, 0x6558, 1, concat(option(1, 0x01, 3), option(2, 0x7F, 0))), result));
    }

    @Test
    public void anOptionLongerThanTheOptionAreaIsRefused() {
        byte[] options = option(1, 1, 1);
        options[3] = 2; // says 8 bytes of data, the area has 4
        assertRefused(GeneveDecapsulator.DROP_OPTION_LENGTH, packet(1, options));
        assertRefused(GeneveDecapsulator.DROP_OPTION_LENGTH, packet(1, concat(option(1, 1, 0), options)));
    }

    @Test
    public void everyVniRoundTripsWithAndWithoutOptions() throws PropertyException {
        GeneveEncapsulator withOptions = new GeneveEncapsulator(GeneveOptions.parse("geneve/options", "0001:02:0a0b0c0d"));
        for (GeneveEncapsulator e : new GeneveEncapsulator[] {GeneveEncapsulator.PLAIN, withOptions}) {
            for (long vni : new long[] {0, 1, 4095, 4096, 0x7FFFFF, 0xFFFFFF}) {
                ByteBuffer buf = ByteBuffer.allocate(e.headerLength() + 14);
                e.encapsulate(buf, 0, vni, 0);
                assertTrue(decap.decapsulate(buf, result));
                assertEquals(vni, result.vnetId());
                assertEquals(e.headerLength(), buf.position());
            }
        }
    }

    @Test
    public void anyBytesAreAnsweredWithoutThrowing() {
        Random random = new Random(8926);
        ByteBuffer buf = ByteBuffer.allocate(400);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            int length = random.nextInt(buf.capacity());
            random.nextBytes(buf.array());
            buf.clear();
            if (i % 2 == 0) { // half of them plausible enough to reach the options
                buf.put(0, (byte) (buf.get(0) & 0x3F)).put(1, (byte) (buf.get(1) & 0x3F)).putShort(2, (short) 0x6558);
            }
            buf.limit(length);
            if (decap.decapsulate(buf, result)) {
                accepted++;
                assertTrue(buf.position() >= 8 && buf.position() <= length);
            } else {
                assertTrue(result.dropReason().startsWith("geneve_"));
            }
        }
        assertTrue("some random packets are well formed: " + accepted, accepted > 100);
    }

    @Test
    public void neitherDirectionAllocates() throws PropertyException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        GeneveEncapsulator e = new GeneveEncapsulator(GeneveOptions.parse("geneve/options", "0102:03:01020304,0104:05:"));
        ByteBuffer buf = ByteBuffer.allocateDirect(64 + 1500);
        for (int round = 0; round < 3; round++) { // the first rounds warm up (and may allocate while compiling)
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 100_000; i++) {
                int start = 64 - e.headerLength();
                e.encapsulate(buf, start, i & 0xFFFFFF, i);
                buf.limit(64 + 1500).position(start);
                if (!decap.decapsulate(buf, result)) {
                    throw new AssertionError(result.dropReason());
                }
            }
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round == 2) {
                assertTrue("allocated " + allocated + " bytes for 100000 packets", allocated < 1024);
            }
        }
    }
}
