package org.overlaygate.katar.protocol;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.Test;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.BulkVl2;
import org.overlaygate.katar.protocol.Messages.BulkVl3;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogRemove;
import org.overlaygate.katar.protocol.Messages.LogRequest;
import org.overlaygate.katar.protocol.Messages.Shootdown;
import org.overlaygate.katar.protocol.Messages.StatusOnly;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Messages.Vl3Request;

/**
 * Byte-exact vectors, written field by field from docs/katar-protocol.md: header (version, op,
 * size, id, crc32) | payload. The CRCs were computed outside this code base (zlib's crc32 over the
 * header with the crc field zeroed, then the payload), so a wrong CRC range or byte order here
 * fails. Each vector is checked both ways: our encoder produces exactly these bytes, and our
 * decoder reads them back to the same values.
 */
public class MessagesTest {
    static final long MAC = 0x020820aabbccL;
    static final String MAPPED = "00000000000000000000ffff";
    static final byte[] UNDERLAY = hex(MAPPED + "0a000002"); // 10.0.0.2
    static final byte[] CN1 = hex(MAPPED + "0a000001"); // 10.0.0.1
    static final byte[] VM_IP = hex(MAPPED + "c0a8010a"); // 192.168.1.10
    static final byte[] ID1 = hex("00112233445566778899aabbccddeeff");
    static final byte[] ID2 = hex("ffeeddccbbaa99887766554433221100");

    static final String PING = "0001 0001 00000000 01020304 a0f78ce1 |";
    static final String PONG = "0001 0002 00000000 01020304 1d3de02f |";
    static final String VL2_REQ = "0001 0003 0000000c 00000007 ff3d29dd | 020820aabbcc 0000 0000002a";
    static final String VL2_ACK = "0001 0004 00000014 00000007 92a0a3dd | 0000 12b5 " + MAPPED + "0a000002";
    static final String VL2_ACK_NOTFOUND = "0001 0004 00000014 00000008 f7fb9c43 | 0002 0000 00000000000000000000000000000000";
    static final String VL3_REQ = "0001 0005 00000018 80000001 f06fbd93 | " + MAPPED + "c0a8010a 00000001 0000002a";
    static final String VL3_ACK = "0001 0006 0000001c 80000001 0aac3a06 | 00000000 020820aabbcc 12b5 " + MAPPED + "0a000002";
    static final String LOG_REQ = "0001 0009 00000014 00000009 9aab33ee | 00000400 " + MAPPED + "0a000001";
    static final String LOG_ACK = "0001 000a 00000050 00000009 35445757 | 00000000"
            + " 00000001 00112233445566778899aabbccddeeff 020820aabbcc 0000 0000002a"
            + " 00000002 ffeeddccbbaa99887766554433221100 " + MAPPED + "c0a8010a 0000 0005 0000002a";
    static final String LOG_RM = "0001 000b 00000024 0000000a a83b4507 | 00000002"
            + " 00112233445566778899aabbccddeeff ffeeddccbbaa99887766554433221100";
    static final String LOG_RM_ACK = "0001 000c 00000004 0000000a 18b8938c | 00000000";
    static final String BULK_REQ_SVP = "0001 0007 00000004 0000000b cd4ea343 | 00000001";
    static final String BULK_REQ = "0001 0007 00000020 0000000c 5eb493c5 | 00000001 00000003 0000002a 0000002a"
            + " 020820aabbcc 00000000000000000000";
    static final String BULK_ACK_VL2 = "0001 0008 0000002c 0000000c 690ceb9f | 00000000 00000001 00000001 00000001"
            + " 0000002a 020820aabbcc 12b5 " + MAPPED + "0a000002";
    static final String BULK_ACK_VL3 = "0001 0008 00000040 0000000d 52ce87d7 | 00000000 00000002 00000000 00000001"
            + " 0000002a " + MAPPED + "c0a8010a 020820aabbcc 0005 12b5 0000 " + MAPPED + "0a000002";
    static final String SHOOTDOWN = "0001 000d 0000000c 0000000e d95b5211 | 020820aabbcc 0000 0000002a";
    static final String FATAL_UNKNOWN_OP = "0001 0000 00000004 0000000f b0308e04 | 00000001";

    static byte[] hex(String s) {
        return Addresses.unhex(s.replace(" ", "").replace("|", ""));
    }

    static byte[] payloadOf(String vector) {
        return hex(vector.substring(vector.indexOf('|') + 1));
    }

    /** Encodes with our code and compares with the vector; decodes the vector and returns the frame. */
    static Frame both(String vector, int op, int id, byte[] payload) throws ProtocolException {
        byte[] expected = hex(vector);
        assertEquals(vector, Addresses.hex(expected), Addresses.hex(Frame.encode(op, id, payload)));
        Frame f = new FrameReader(1 << 16).next(ByteBuffer.wrap(expected));
        assertEquals(1, f.version());
        assertEquals(op, f.op());
        assertEquals(id, f.id());
        assertArrayEquals(payload, f.payload());
        return f;
    }

    @Test
    public void pingAndPong() throws Exception {
        both(PING, Svp.OP_PING, 0x01020304, new byte[0]);
        both(PONG, Svp.OP_PONG, 0x01020304, new byte[0]);
    }

    @Test
    public void vl2RequestAndAcks() throws Exception {
        Frame req = both(VL2_REQ, Svp.OP_VL2_REQ, 7, new Vl2Request(MAC, 42).encode());
        assertEquals(new Vl2Request(MAC, 42), Vl2Request.decode(req.payload()));

        Frame ack = both(VL2_ACK, Svp.OP_VL2_ACK, 7, new Vl2Ack(0, 4789, UNDERLAY).encode());
        Vl2Ack a = Vl2Ack.decode(ack.payload());
        assertEquals(0, a.status());
        assertEquals(4789, a.port());
        assertArrayEquals(UNDERLAY, a.ip());
        assertEquals("10.0.0.2", Addresses.formatIp(a.ip()));

        Frame nf = both(VL2_ACK_NOTFOUND, Svp.OP_VL2_ACK, 8, Vl2Ack.status(Svp.STATUS_NOTFOUND).encode());
        assertEquals(Svp.STATUS_NOTFOUND, Vl2Ack.decode(nf.payload()).status());
    }

    @Test
    public void vl3RequestAndAck() throws Exception {
        // id 0x80000001: ids are opaque 32-bit values, the high bit included
        Frame req = both(VL3_REQ, Svp.OP_VL3_REQ, 0x80000001, new Vl3Request(VM_IP, Svp.VL3_IPV4, 42).encode());
        Vl3Request r = Vl3Request.decode(req.payload());
        assertArrayEquals(VM_IP, r.ip());
        assertEquals(1, r.type());
        assertEquals(42, r.vnetId());

        Frame ack = both(VL3_ACK, Svp.OP_VL3_ACK, 0x80000001, new Vl3Ack(0, MAC, 4789, UNDERLAY).encode());
        Vl3Ack a = Vl3Ack.decode(ack.payload());
        assertEquals(MAC, a.mac());
        assertEquals(4789, a.port());
        assertArrayEquals(UNDERLAY, a.ip());
    }

    @Test
    public void logRequestAckRemove() throws Exception {
        Frame req = both(LOG_REQ, Svp.OP_LOG_REQ, 9, new LogRequest(1024, CN1).encode());
        assertEquals(1024, LogRequest.decode(req.payload()).count());
        assertArrayEquals(CN1, LogRequest.decode(req.payload()).ip());

        LogAck ack = new LogAck(0, List.of(new Vl2Invalidation(ID1, MAC, 42), new Vl3Change(ID2, VM_IP, 5, 42)));
        assertEquals(4 + 32 + 44, ack.size());
        Frame f = both(LOG_ACK, Svp.OP_LOG_ACK, 9, ack.encode());
        LogAck back = LogAck.decode(f.payload());
        assertEquals(2, back.entries().size());
        Vl2Invalidation v2 = (Vl2Invalidation) back.entries().get(0);
        assertArrayEquals(ID1, v2.id());
        assertEquals(MAC, v2.mac());
        assertEquals(42, v2.vnetId());
        Vl3Change v3 = (Vl3Change) back.entries().get(1);
        assertArrayEquals(ID2, v3.id());
        assertArrayEquals(VM_IP, v3.ip());
        assertEquals(5, v3.vlan());
        assertEquals(42, v3.vnetId());

        Frame rm = both(LOG_RM, Svp.OP_LOG_RM, 10, new LogRemove(List.of(ID1, ID2)).encode());
        List<byte[]> ids = LogRemove.decode(rm.payload()).ids();
        assertArrayEquals(ID1, ids.get(0));
        assertArrayEquals(ID2, ids.get(1));
        Frame rack = both(LOG_RM_ACK, Svp.OP_LOG_RM_ACK, 10, new StatusOnly(0).encode());
        assertEquals(0, StatusOnly.decode(rack.payload()).status());
    }

    @Test
    public void bulkBothForms() throws Exception {
        Frame svp = both(BULK_REQ_SVP, Svp.OP_BULK_REQ, 11, BulkRequest.all(Svp.BULK_VL2).encodeSvp());
        BulkRequest all = BulkRequest.decode(svp.payload());
        assertEquals(Svp.BULK_VL2, all.type());
        assertFalse(all.vnetOnly());
        assertFalse(all.resumes());

        BulkRequest resumed = BulkRequest.vnet(Svp.BULK_VL2, 42).after(42, BulkRequest.macKey(MAC));
        Frame ext = both(BULK_REQ, Svp.OP_BULK_REQ, 12, resumed.encode());
        BulkRequest r = BulkRequest.decode(ext.payload());
        assertTrue(r.vnetOnly());
        assertTrue(r.resumes());
        assertEquals(42, r.vnetId());
        assertEquals(42, r.afterVnetId());
        assertEquals(MAC, r.afterMac());

        Frame a2 = both(BULK_ACK_VL2, Svp.OP_BULK_ACK, 12,
                new BulkAck(0, Svp.BULK_VL2, Svp.BULK_FLAG_MORE, List.of(new BulkVl2(42, MAC, 4789, UNDERLAY))).encode());
        BulkAck b2 = BulkAck.decode(a2.payload());
        assertTrue(b2.more());
        BulkVl2 e2 = (BulkVl2) b2.entries().get(0);
        assertEquals(MAC, e2.mac());
        assertEquals(4789, e2.port());

        Frame a3 = both(BULK_ACK_VL3, Svp.OP_BULK_ACK, 13,
                new BulkAck(0, Svp.BULK_VL3, 0, List.of(new BulkVl3(42, VM_IP, MAC, 5, 4789, UNDERLAY))).encode());
        BulkAck b3 = BulkAck.decode(a3.payload());
        assertFalse(b3.more());
        BulkVl3 e3 = (BulkVl3) b3.entries().get(0);
        assertArrayEquals(VM_IP, e3.ip());
        assertEquals(5, e3.vlan());
        assertArrayEquals(UNDERLAY, e3.underlayIp());
    }

    @Test
    public void shootdownAndFatal() throws Exception {
        Frame sd = both(SHOOTDOWN, Svp.OP_SHOOTDOWN, 14, new Shootdown(MAC, 42).encode());
        assertEquals(new Shootdown(MAC, 42), Shootdown.decode(sd.payload()));
        Frame fatal = both(FATAL_UNKNOWN_OP, Svp.OP_UNKNOWN, 15, new StatusOnly(Svp.STATUS_FATAL).encode());
        assertEquals(Svp.STATUS_FATAL, StatusOnly.decode(fatal.payload()).status());
    }

    @Test
    public void readerAcceptsBytesOneAtATimeAndBackToBack() throws Exception {
        byte[] a = hex(VL2_REQ);
        byte[] b = hex(PING);
        ByteBuffer stream = ByteBuffer.allocate(a.length + b.length).put(a).put(b).flip();
        FrameReader r = new FrameReader(64);
        int frames = 0;
        while (stream.hasRemaining()) {
            ByteBuffer one = ByteBuffer.wrap(new byte[] {stream.get()});
            Frame f = r.next(one);
            if (f != null) {
                frames++;
                assertEquals(frames == 1 ? Svp.OP_VL2_REQ : Svp.OP_PING, f.op());
            }
        }
        assertEquals(2, frames);
        assertFalse(r.inMessage());
    }

    @Test
    public void readerRefusesBadCrcVersionAndSize() {
        byte[] bad = hex(VL2_REQ);
        bad[bad.length - 1] ^= 1; // payload byte flipped: CRC no longer matches
        expect(bad, 64, ProtocolException.Reason.BAD_CRC);
        byte[] crc = hex(VL2_REQ);
        crc[12] ^= (byte) 0x80; // the CRC itself damaged
        expect(crc, 64, ProtocolException.Reason.BAD_CRC);
        expect(Frame.encode(2, Svp.OP_PING, 1, new byte[0]), 64, ProtocolException.Reason.BAD_VERSION);
        expect(hex(VL2_REQ), 11, ProtocolException.Reason.OVERSIZE); // 12-byte payload, limit 11
        // a size of 0xffffffff is refused from the header alone, without waiting for 4 GiB
        expect(hex("0001 0003 ffffffff 00000001 00000000"), 1 << 20, ProtocolException.Reason.OVERSIZE);
    }

    private static void expect(byte[] bytes, int max, ProtocolException.Reason reason) {
        try {
            Frame f = new FrameReader(max).next(ByteBuffer.wrap(bytes));
            fail("accepted " + f);
        } catch (ProtocolException e) {
            assertEquals(e.getMessage(), reason, e.reason());
        }
    }

    @Test
    public void truncatedMessageWaitsForMore() throws Exception {
        byte[] all = hex(VL3_REQ);
        FrameReader r = new FrameReader(64);
        assertNull(r.next(ByteBuffer.wrap(all, 0, 20)));
        assertTrue(r.inMessage());
        Frame f = r.next(ByteBuffer.wrap(all, 20, all.length - 20));
        assertEquals(Svp.OP_VL3_REQ, f.op());
    }

    @Test
    public void malformedPayloadsAreRefused() {
        malformed(() -> Vl2Request.decode(new byte[11]));
        malformed(() -> Vl3Request.decode(new byte[25]));
        malformed(() -> LogRequest.decode(new byte[4]));
        malformed(() -> LogRemove.decode(hex("00000002 00112233445566778899aabbccddeeff")));
        malformed(() -> LogAck.decode(hex("00000000 00000009 00000000")));
        malformed(() -> BulkRequest.decode(new byte[8]));
        malformed(() -> BulkAck.decode(hex("00000000 00000001 00000000 00000002")));
    }

    private interface Decode {
        Object run() throws ProtocolException;
    }

    private static void malformed(Decode d) {
        try {
            fail("decoded " + d.run());
        } catch (ProtocolException e) {
            assertEquals(ProtocolException.Reason.MALFORMED, e.reason());
        }
    }

    @Test
    public void addresses() {
        assertEquals("02:08:20:aa:bb:cc", Addresses.formatMac(Addresses.parseMac("2:8:20:AA:bb:cc")));
        assertArrayEquals(UNDERLAY, Addresses.toWire(Addresses.parseIp("10.0.0.2")));
        assertEquals("fd00::2", Addresses.formatIp(Addresses.toWire(Addresses.parseIp("fd00::2"))));
        assertEquals("2001:db8::1:0:0:1", Addresses.formatIp(Addresses.toWire(Addresses.parseIp("2001:db8:0:0:1:0:0:1"))));
        assertEquals("2001:db8:0:1:1:1:1:1", Addresses.formatIp(Addresses.toWire(Addresses.parseIp("2001:db8:0:1:1:1:1:1"))));
        assertEquals("::1", Addresses.formatIp(Addresses.toWire(Addresses.parseIp("::1"))));
        assertEquals("fe80::", Addresses.formatIp(Addresses.toWire(Addresses.parseIp("fe80::"))));
        assertEquals(Svp.VL3_IPV6, Addresses.vl3Type(Addresses.parseIp("fd00::2")));
        try {
            Addresses.parseIp("example.com");
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("'example.com' is not an IP address", e.getMessage());
        }
    }
}
