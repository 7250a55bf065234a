package org.overlaygate.katar.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The payload of every katar operation, both directions, as records with {@code encode()} and a
 * static {@code decode(byte[])}. Decoding checks the length (and, where there is one, the entry
 * type) and throws {@link ProtocolException} with reason {@code MALFORMED}; it never reads past the
 * payload. Offsets are those of {@code docs/katar-protocol.md}; all integers are big-endian.
 */
public final class Messages {
    private Messages() {
    }

    private static void size(byte[] p, int expected, String what) throws ProtocolException {
        if (p.length != expected) {
            throw malformed(what + " payload is " + p.length + " bytes, expected " + expected);
        }
    }

    static ProtocolException malformed(String message) {
        return new ProtocolException(ProtocolException.Reason.MALFORMED, message);
    }

    private static long readMac(ByteBuffer b, int index) {
        return ((b.getInt(index) & 0xFFFF_FFFFL) << 16) | (b.getShort(index + 4) & 0xFFFFL);
    }

    private static void putMac(ByteBuffer b, int index, long mac) {
        b.putInt(index, (int) (mac >>> 16));
        b.putShort(index + 4, (short) mac);
    }

    private static byte[] bytes(ByteBuffer b, int index, int length) {
        byte[] out = new byte[length];
        b.get(index, out);
        return out;
    }

    private static byte[] checkIp(byte[] ip) {
        if (ip.length != 16) {
            throw new IllegalArgumentException("an address on the wire has 16 bytes, not " + ip.length);
        }
        return ip;
    }

    private static long u32(ByteBuffer b, int index) {
        return b.getInt(index) & 0xFFFF_FFFFL;
    }

    /** VL2_REQ: mac[6] @0, pad[2] @6, vnetid u32 @8. */
    public record Vl2Request(long mac, long vnetId) {
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(Svp.VL2_REQ_SIZE);
            putMac(b, 0, mac);
            b.putInt(8, (int) vnetId);
            return b.array();
        }

        public static Vl2Request decode(byte[] p) throws ProtocolException {
            size(p, Svp.VL2_REQ_SIZE, "VL2_REQ");
            ByteBuffer b = ByteBuffer.wrap(p);
            return new Vl2Request(readMac(b, 0), u32(b, 8));
        }
    }

    /** VL2_ACK: status u16 @0, port u16 @2, underlay ip[16] @4. */
    public record Vl2Ack(int status, int port, byte[] ip) {
        public Vl2Ack {
            checkIp(ip);
        }

        public static Vl2Ack status(int status) {
            return new Vl2Ack(status, 0, new byte[16]);
        }

        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(Svp.VL2_ACK_SIZE);
            b.putShort(0, (short) status).putShort(2, (short) port).put(4, ip);
            return b.array();
        }

        public static Vl2Ack decode(byte[] p) throws ProtocolException {
            size(p, Svp.VL2_ACK_SIZE, "VL2_ACK");
            ByteBuffer b = ByteBuffer.wrap(p);
            return new Vl2Ack(b.getShort(0) & 0xFFFF, b.getShort(2) & 0xFFFF, bytes(b, 4, 16));
        }
    }

    /** VL3_REQ: ip[16] @0, type u32 @16 (1 IPv4, 2 IPv6), vnetid u32 @20. */
    public record Vl3Request(byte[] ip, long type, long vnetId) {
        public Vl3Request {
            checkIp(ip);
        }

        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(Svp.VL3_REQ_SIZE);
            b.put(0, ip).putInt(16, (int) type).putInt(20, (int) vnetId);
            return b.array();
        }

        public static Vl3Request decode(byte[] p) throws ProtocolException {
            size(p, Svp.VL3_REQ_SIZE, "VL3_REQ");
            ByteBuffer b = ByteBuffer.wrap(p);
            return new Vl3Request(bytes(b, 0, 16), u32(b, 16), u32(b, 20));
        }
    }

    /** VL3_ACK: status u32 @0, mac[6] @4, underlay port u16 @10, underlay ip[16] @12. */
    public record Vl3Ack(long status, long mac, int port, byte[] ip) {
        public Vl3Ack {
            checkIp(ip);
        }

        public static Vl3Ack status(long status) {
            return new Vl3Ack(status, 0, 0, new byte[16]);
        }

        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(Svp.VL3_ACK_SIZE);
            b.putInt(0, (int) status);
            putMac(b, 4, mac);
            b.putShort(10, (short) port).put(12, ip);
            return b.array();
        }

        public static Vl3Ack decode(byte[] p) throws ProtocolException {
            size(p, Svp.VL3_ACK_SIZE, "VL3_ACK");
            ByteBuffer b = ByteBuffer.wrap(p);
            return new Vl3Ack(u32(b, 0), readMac(b, 4), b.getShort(10) & 0xFFFF, bytes(b, 12, 16));
        }
    }

    /** LOG_REQ: count u32 @0 (most payload bytes the client accepts), underlay ip[16] @4. */
    public record LogRequest(long count, byte[] ip) {
        public LogRequest {
            checkIp(ip);
        }

        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(Svp.LOG_REQ_SIZE);
            b.putInt(0, (int) count).put(4, ip);
            return b.array();
        }

        public static LogRequest decode(byte[] p) throws ProtocolException {
            size(p, Svp.LOG_REQ_SIZE, "LOG_REQ");
            ByteBuffer b = ByteBuffer.wrap(p);
            return new LogRequest(u32(b, 0), bytes(b, 4, 16));
        }
    }

    /** A log entry; each begins with its type u32 and a 16-byte id. */
    public sealed interface LogEntry permits Vl2Invalidation, Vl3Change {
        byte[] id();

        int type();

        int size();

        void write(ByteBuffer b, int index);
    }

    /** Log type 1, 32 bytes: type u32 @0, id[16] @4, mac[6] @20, pad[2] @26, vnetid u32 @28. */
    public record Vl2Invalidation(byte[] id, long mac, long vnetId) implements LogEntry {
        public Vl2Invalidation {
            if (id.length != Svp.LOG_ID_SIZE) {
                throw new IllegalArgumentException("a log entry id has 16 bytes");
            }
        }

        @Override
        public int type() {
            return Svp.LOG_VL2;
        }

        @Override
        public int size() {
            return Svp.LOG_VL2_SIZE;
        }

        @Override
        public void write(ByteBuffer b, int index) {
            b.putInt(index, Svp.LOG_VL2).put(index + 4, id);
            putMac(b, index + 20, mac);
            b.putShort(index + 26, (short) 0).putInt(index + 28, (int) vnetId);
        }

        @Override
        public String toString() {
            return "VL2 " + Addresses.hex(id) + " vnet " + vnetId + " mac " + Addresses.formatMac(mac);
        }
    }

    /** Log type 2, 44 bytes: type u32 @0, id[16] @4, ip[16] @20, pad[2] @36, vlan u16 @38, vnetid u32 @40. */
    public record Vl3Change(byte[] id, byte[] ip, int vlan, long vnetId) implements LogEntry {
        public Vl3Change {
            if (id.length != Svp.LOG_ID_SIZE) {
                throw new IllegalArgumentException("a log entry id has 16 bytes");
            }
            checkIp(ip);
        }

        @Override
        public int type() {
            return Svp.LOG_VL3;
        }

        @Override
        public int size() {
            return Svp.LOG_VL3_SIZE;
        }

        @Override
        public void write(ByteBuffer b, int index) {
            b.putInt(index, Svp.LOG_VL3).put(index + 4, id).put(index + 20, ip);
            b.putShort(index + 36, (short) 0).putShort(index + 38, (short) vlan).putInt(index + 40, (int) vnetId);
        }

        @Override
        public String toString() {
            return "VL3 " + Addresses.hex(id) + " vnet " + vnetId + " ip " + Addresses.formatIp(ip) + " vlan " + vlan;
        }
    }

    /** LOG_ACK: status u32 @0, then entries packed back to back. */
    public record LogAck(long status, List<LogEntry> entries) {
        public int size() {
            int n = 4;
            for (LogEntry e : entries) {
                n += e.size();
            }
            return n;
        }

        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(size());
            b.putInt(0, (int) status);
            int at = 4;
            for (LogEntry e : entries) {
                e.write(b, at);
                at += e.size();
            }
            return b.array();
        }

        public static LogAck decode(byte[] p) throws ProtocolException {
            if (p.length < 4) {
                throw malformed("LOG_ACK payload is " + p.length + " bytes, at least 4 expected");
            }
            ByteBuffer b = ByteBuffer.wrap(p);
            List<LogEntry> entries = new ArrayList<>();
            int at = 4;
            while (at < p.length) {
                if (p.length - at < 4) {
                    throw malformed("LOG_ACK: " + (p.length - at) + " stray bytes at " + at);
                }
                int type = b.getInt(at);
                if (type == Svp.LOG_VL2 && p.length - at >= Svp.LOG_VL2_SIZE) {
                    entries.add(new Vl2Invalidation(bytes(b, at + 4, 16), readMac(b, at + 20), u32(b, at + 28)));
                    at += Svp.LOG_VL2_SIZE;
                } else if (type == Svp.LOG_VL3 && p.length - at >= Svp.LOG_VL3_SIZE) {
                    entries.add(new Vl3Change(bytes(b, at + 4, 16), bytes(b, at + 20, 16), b.getShort(at + 38) & 0xFFFF,
                            u32(b, at + 40)));
                    at += Svp.LOG_VL3_SIZE;
                } else {
                    throw malformed("LOG_ACK: entry of type " + type + " at " + at + " is unknown or cut short");
                }
            }
            return new LogAck(u32(b, 0), entries);
        }
    }

    /** LOG_RM: count u32 @0, then count 16-byte entry ids. */
    public record LogRemove(List<byte[]> ids) {
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(4 + Svp.LOG_ID_SIZE * ids.size());
            b.putInt(ids.size());
            for (byte[] id : ids) {
                if (id.length != Svp.LOG_ID_SIZE) {
                    throw new IllegalArgumentException("a log entry id has 16 bytes");
                }
                b.put(id);
            }
            return b.array();
        }

        public static LogRemove decode(byte[] p) throws ProtocolException {
            if (p.length < 4) {
                throw malformed("LOG_RM payload is " + p.length + " bytes, at least 4 expected");
            }
            ByteBuffer b = ByteBuffer.wrap(p);
            long count = u32(b, 0);
            if (count * Svp.LOG_ID_SIZE != p.length - 4L) {
                throw malformed("LOG_RM names " + count + " ids but carries " + (p.length - 4) + " bytes of them");
            }
            List<byte[]> ids = new ArrayList<>((int) count);
            for (int i = 0; i < count; i++) {
                ids.add(bytes(b, 4 + i * Svp.LOG_ID_SIZE, Svp.LOG_ID_SIZE));
            }
            return new LogRemove(ids);
        }
    }

    /** LOG_RM_ACK: status u32 @0. Also the FATAL answer to an unknown operation (op 0). */
    public record StatusOnly(long status) {
        public byte[] encode() {
            return ByteBuffer.allocate(4).putInt(0, (int) status).array();
        }

        public static StatusOnly decode(byte[] p) throws ProtocolException {
            size(p, 4, "status");
            return new StatusOnly(u32(ByteBuffer.wrap(p), 0));
        }
    }

    /**
     * BULK_REQ. SVP's form is 4 bytes, the type alone (all vnets from the start). Ours (ext) is 32
     * bytes: type u32 @0, flags u32 @4, vnetid u32 @8, after-vnetid u32 @12, after-key[16] @16
     * (VL2: the MAC in the first 6 bytes, then zeros; VL3: the IP).
     */
    public record BulkRequest(long type, int flags, long vnetId, long afterVnetId, byte[] afterKey) {
        public BulkRequest {
            if (afterKey.length != 16) {
                throw new IllegalArgumentException("the bulk cursor key has 16 bytes");
            }
        }

        /** Everything of one type, every vnet, from the start. */
        public static BulkRequest all(long type) {
            return new BulkRequest(type, 0, 0, 0, new byte[16]);
        }

        /** One vnet from the start. */
        public static BulkRequest vnet(long type, long vnetId) {
            return new BulkRequest(type, Svp.BULK_FLAG_VNET, vnetId, 0, new byte[16]);
        }

        /** The same request resumed after the given cursor. */
        public BulkRequest after(long vnet, byte[] key) {
            return new BulkRequest(type, flags | Svp.BULK_FLAG_AFTER, vnetId, vnet, key);
        }

        public boolean vnetOnly() {
            return (flags & Svp.BULK_FLAG_VNET) != 0;
        }

        public boolean resumes() {
            return (flags & Svp.BULK_FLAG_AFTER) != 0;
        }

        /** The VL2 cursor key as a MAC. */
        public long afterMac() {
            return readMac(ByteBuffer.wrap(afterKey), 0);
        }

        public static byte[] macKey(long mac) {
            ByteBuffer b = ByteBuffer.allocate(16);
            putMac(b, 0, mac);
            return b.array();
        }

        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(Svp.BULK_REQ_SIZE);
            b.putInt(0, (int) type).putInt(4, flags).putInt(8, (int) vnetId).putInt(12, (int) afterVnetId).put(16, afterKey);
            return b.array();
        }

        /** SVP's original 4-byte form. */
        public byte[] encodeSvp() {
            return ByteBuffer.allocate(4).putInt(0, (int) type).array();
        }

        public static BulkRequest decode(byte[] p) throws ProtocolException {
            ByteBuffer b = ByteBuffer.wrap(p);
            if (p.length == Svp.BULK_REQ_SVP_SIZE) {
                return all(u32(b, 0));
            }
            size(p, Svp.BULK_REQ_SIZE, "BULK_REQ");
            return new BulkRequest(u32(b, 0), b.getInt(4), u32(b, 8), u32(b, 12), bytes(b, 16, 16));
        }
    }

    /** A mapping in a BULK_ACK. */
    public sealed interface BulkEntry permits BulkVl2, BulkVl3 {
        long vnetId();

        /** The cursor key of this entry, for the next BULK_REQ. */
        byte[] key();
    }

    /** BULK_ACK VL2 entry, 28 bytes: vnetid u32 @0, mac[6] @4, port u16 @10, underlay ip[16] @12. */
    public record BulkVl2(long vnetId, long mac, int port, byte[] ip) implements BulkEntry {
        public BulkVl2 {
            checkIp(ip);
        }

        @Override
        public byte[] key() {
            return BulkRequest.macKey(mac);
        }
    }

    /**
     * BULK_ACK VL3 entry, 48 bytes: vnetid u32 @0, ip[16] @4, mac[6] @20, vlan u16 @26, port u16 @28,
     * pad[2] @30, underlay ip[16] @32.
     */
    public record BulkVl3(long vnetId, byte[] ip, long mac, int vlan, int port, byte[] underlayIp) implements BulkEntry {
        public BulkVl3 {
            checkIp(ip);
            checkIp(underlayIp);
        }

        @Override
        public byte[] key() {
            return ip;
        }
    }

    /**
     * BULK_ACK: status u32 @0, type u32 @4, then (ext) flags u32 @8 (1 = more follow), count u32 @12,
     * then count entries of the type's size.
     */
    public record BulkAck(long status, long type, int flags, List<BulkEntry> entries) {
        public static BulkAck status(long status, long type) {
            return new BulkAck(status, type, 0, List.of());
        }

        public boolean more() {
            return (flags & Svp.BULK_FLAG_MORE) != 0;
        }

        public static int entrySize(long type) {
            return type == Svp.BULK_VL3 ? Svp.BULK_VL3_ENTRY_SIZE : Svp.BULK_VL2_ENTRY_SIZE;
        }

        public byte[] encode() {
            int each = entrySize(type);
            ByteBuffer b = ByteBuffer.allocate(Svp.BULK_ACK_HEADER_SIZE + each * entries.size());
            b.putInt(0, (int) status).putInt(4, (int) type).putInt(8, flags).putInt(12, entries.size());
            int at = Svp.BULK_ACK_HEADER_SIZE;
            for (BulkEntry e : entries) {
                if (e instanceof BulkVl2 v && type == Svp.BULK_VL2) {
                    b.putInt(at, (int) v.vnetId());
                    putMac(b, at + 4, v.mac());
                    b.putShort(at + 10, (short) v.port()).put(at + 12, v.ip());
                } else if (e instanceof BulkVl3 v && type == Svp.BULK_VL3) {
                    b.putInt(at, (int) v.vnetId()).put(at + 4, v.ip());
                    putMac(b, at + 20, v.mac());
                    b.putShort(at + 26, (short) v.vlan()).putShort(at + 28, (short) v.port()).putShort(at + 30, (short) 0)
                            .put(at + 32, v.underlayIp());
                } else {
                    throw new IllegalArgumentException("a " + e.getClass().getSimpleName() + " in a BULK_ACK of type " + type);
                }
                at += each;
            }
            return b.array();
        }

        public static BulkAck decode(byte[] p) throws ProtocolException {
            if (p.length < Svp.BULK_ACK_HEADER_SIZE) {
                throw malformed("BULK_ACK payload is " + p.length + " bytes, at least 16 expected");
            }
            ByteBuffer b = ByteBuffer.wrap(p);
            long type = u32(b, 4);
            long count = u32(b, 12);
            int each = entrySize(type);
            if (count > 0 && type != Svp.BULK_VL2 && type != Svp.BULK_VL3) {
                throw malformed("BULK_ACK of unknown type " + type + " with entries");
            }
            if (Svp.BULK_ACK_HEADER_SIZE + count * each != p.length) {
                throw malformed("BULK_ACK says " + count + " entries but carries " + (p.length - 16) + " bytes of them");
            }
            List<BulkEntry> entries = new ArrayList<>((int) count);
            for (int i = 0, at = Svp.BULK_ACK_HEADER_SIZE; i < count; i++, at += each) {
                if (type == Svp.BULK_VL2) {
                    entries.add(new BulkVl2(u32(b, at), readMac(b, at + 4), b.getShort(at + 10) & 0xFFFF, bytes(b, at + 12, 16)));
                } else {
                    entries.add(new BulkVl3(u32(b, at), bytes(b, at + 4, 16), readMac(b, at + 20), b.getShort(at + 26) & 0xFFFF,
                            b.getShort(at + 28) & 0xFFFF, bytes(b, at + 32, 16)));
                }
            }
            return new BulkAck(u32(b, 0), type, b.getInt(8), entries);
        }
    }

    /** SHOOTDOWN (CN to CN over UDP): mac[6] @0, pad[2] @6, vnetid u32 @8. */
    public record Shootdown(long mac, long vnetId) {
        public byte[] encode() {
            return new Vl2Request(mac, vnetId).encode();
        }

        public static Shootdown decode(byte[] p) throws ProtocolException {
            size(p, Svp.SHOOTDOWN_SIZE, "SHOOTDOWN");
            Vl2Request r = Vl2Request.decode(p);
            return new Shootdown(r.mac(), r.vnetId());
        }
    }

    /** Compares two ids or addresses by content. */
    public static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
