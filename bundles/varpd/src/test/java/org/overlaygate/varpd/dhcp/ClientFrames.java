package org.overlaygate.varpd.dhcp;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DHCP client messages built field by field as a client sends them (RFC 2131 figure 1), and the
 * server's replies read back, independently of the code under test (its checksum helper aside,
 * which {@link #checksumsValid} checks against a sum written out here).
 */
public final class ClientFrames {
    static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    public int type;
    public long mac;
    int xid = 0x1234_5678;
    int ciaddr;
    int giaddr;
    public int requested;
    public int serverId;
    boolean broadcastFlag;
    int srcIp;
    int dstIp = 0xFFFFFFFF;
    long dstMac = BROADCAST_MAC;
    int dstPort = 67;
    int op = 1;
    boolean magic = true;
    boolean end = true;
    boolean udpChecksum = true;

    public ClientFrames(int type, long mac) {
        this.type = type;
        this.mac = mac;
    }

    public byte[] build() {
        ByteBuffer o = ByteBuffer.allocate(64);
        if (type != 0) {
            o.put((byte) 53).put((byte) 1).put((byte) type);
        }
        if (requested != 0) {
            o.put((byte) 50).put((byte) 4).putInt(requested);
        }
        if (serverId != 0) {
            o.put((byte) 54).put((byte) 4).putInt(serverId);
        }
        o.put((byte) 55).put((byte) 6).put(new byte[] {1, 3, 6, 15, 26, 121});
        if (end) {
            o.put((byte) 255);
        }
        int opts = o.position();
        int bootp = 236 + 4 + opts;
        int udpLen = 8 + bootp;
        int ipLen = 20 + udpLen;
        byte[] f = new byte[14 + ipLen];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(0, (short) (dstMac >>> 32)).putInt(2, (int) dstMac);
        b.putShort(6, (short) (mac >>> 32)).putInt(8, (int) mac);
        b.putShort(12, (short) 0x0800);
        b.put(14, (byte) 0x45);
        b.putShort(16, (short) ipLen);
        b.put(22, (byte) 64);
        b.put(23, (byte) 17);
        b.putInt(26, srcIp);
        b.putInt(30, dstIp);
        b.putShort(24, (short) rfc1071(f, 14, 20, 0));
        b.putShort(34, (short) 68).putShort(36, (short) dstPort).putShort(38, (short) udpLen);
        int d = 42;
        b.put(d, (byte) op).put(d + 1, (byte) 1).put(d + 2, (byte) 6);
        b.putInt(d + 4, xid);
        b.putShort(d + 10, (short) (broadcastFlag ? 0x8000 : 0));
        b.putInt(d + 12, ciaddr);
        b.putInt(d + 24, giaddr);
        b.putShort(d + 28, (short) (mac >>> 32)).putInt(d + 30, (int) mac);
        if (magic) {
            b.putInt(d + 236, 0x63825363);
        }
        System.arraycopy(o.array(), 0, f, d + 240, opts);
        if (udpChecksum) {
            long pseudo = ((srcIp >>> 16) & 0xFFFF) + (srcIp & 0xFFFF) + ((dstIp >>> 16) & 0xFFFF) + (dstIp & 0xFFFF) + 17 + udpLen;
            int sum = rfc1071(f, 34, udpLen, pseudo);
            b.putShort(40, (short) (sum == 0 ? 0xFFFF : sum));
        }
        return f;
    }

    /** RFC 1071, written out here rather than borrowed from the code under test. */
    static int rfc1071(byte[] b, int off, int len, long sum) {
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** A server reply read back. */
    public static final class Reply {
        long dstMac;
        long srcMac;
        int srcIp;
        int dstIp;
        int srcPort;
        int dstPort;
        int op;
        int xid;
        int flags;
        int ciaddr;
        public int yiaddr;
        long chaddr;
        public final Map<Integer, byte[]> options = new LinkedHashMap<>();

        public int type() {
            return options.get(53)[0];
        }

        public int optionInt(int code) {
            return ByteBuffer.wrap(options.get(code)).getInt();
        }
    }

    public static Reply parse(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        Reply r = new Reply();
        r.dstMac = ((long) (b.getShort(0) & 0xFFFF) << 32) | (b.getInt(2) & 0xFFFFFFFFL);
        r.srcMac = ((long) (b.getShort(6) & 0xFFFF) << 32) | (b.getInt(8) & 0xFFFFFFFFL);
        r.srcIp = b.getInt(26);
        r.dstIp = b.getInt(30);
        r.srcPort = b.getShort(34) & 0xFFFF;
        r.dstPort = b.getShort(36) & 0xFFFF;
        int d = 42;
        r.op = b.get(d);
        r.xid = b.getInt(d + 4);
        r.flags = b.getShort(d + 10) & 0xFFFF;
        r.ciaddr = b.getInt(d + 12);
        r.yiaddr = b.getInt(d + 16);
        r.chaddr = ((long) (b.getShort(d + 28) & 0xFFFF) << 32) | (b.getInt(d + 30) & 0xFFFFFFFFL);
        if (b.getInt(d + 236) != 0x63825363) {
            throw new AssertionError("no magic cookie");
        }
        int o = d + 240;
        while (o < f.length && (f[o] & 0xFF) != 255) {
            if (f[o] == 0) {
                o++;
                continue;
            }
            int code = f[o] & 0xFF;
            int len = f[o + 1] & 0xFF;
            byte[] v = new byte[len];
            System.arraycopy(f, o + 2, v, 0, len);
            if (r.options.put(code, v) != null) {
                throw new AssertionError("option " + code + " twice");
            }
            o += 2 + len;
        }
        if (o >= f.length) {
            throw new AssertionError("no end option");
        }
        return r;
    }

    /** Whether the IPv4 header and UDP checksums of a frame are right. */
    static boolean checksumsValid(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int udpLen = b.getShort(38) & 0xFFFF;
        int src = b.getInt(26);
        int dst = b.getInt(30);
        long pseudo = ((src >>> 16) & 0xFFFF) + (src & 0xFFFF) + ((dst >>> 16) & 0xFFFF) + (dst & 0xFFFF) + 17 + udpLen;
        return rfc1071(f, 14, 20, 0) == 0 && rfc1071(f, 34, udpLen, pseudo) == 0 && (b.getShort(16) & 0xFFFF) == f.length - 14;
    }

    public static int ip(String s) {
        return DhcpConfig.address("test", s);
    }
}
