package org.overlaygate.router;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Frames built and read byte by byte, independently of the code under test (its own checksum,
 * its own offsets): what the router is fed, and the decoder its output is checked with.
 */
final class Wire {
    private Wire() {
    }

    static byte[] ip(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** RFC 1071, the plain way: 16-bit big-endian words, end-around carry. */
    static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i < len; i += 2) {
            int hiByte = b[off + i] & 0xFF;
            int loByte = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hiByte << 8) | loByte;
        }
        while (sum > 0xFFFF) {
            sum = (sum >> 16) + (sum & 0xFFFF);
        }
        return (int) (~sum) & 0xFFFF;
    }

    static void mac(byte[] f, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            f[at + i] = (byte) (mac >>> (8 * (5 - i)));
        }
    }

    static long mac(byte[] f, int at) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = (m << 8) | (f[at + i] & 0xFF);
        }
        return m;
    }

    static int u16(byte[] f, int at) {
        return ((f[at] & 0xFF) << 8) | (f[at + 1] & 0xFF);
    }

    static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }

    // ---------------------------------------------------------------- building

    static byte[] ipv4(long dstMac, long srcMac, String src, String dst, int ttl, int proto, boolean df, byte[] payload) {
        byte[] f = new byte[14 + 20 + payload.length];
        mac(f, 0, dstMac);
        mac(f, 6, srcMac);
        put16(f, 12, 0x0800);
        f[14] = 0x45;
        put16(f, 16, 20 + payload.length);
        put16(f, 18, 0x1234);
        put16(f, 20, df ? 0x4000 : 0);
        f[22] = (byte) ttl;
        f[23] = (byte) proto;
        System.arraycopy(ip(src), 0, f, 26, 4);
        System.arraycopy(ip(dst), 0, f, 30, 4);
        put16(f, 24, checksum(f, 14, 20, 0));
        System.arraycopy(payload, 0, f, 34, payload.length);
        return f;
    }

    /** An ICMP (v4) message with its checksum. */
    static byte[] icmp(int type, int code, int id, int seq, int dataLength) {
        byte[] m = new byte[8 + dataLength];
        m[0] = (byte) type;
        m[1] = (byte) code;
        put16(m, 4, id);
        put16(m, 6, seq);
        for (int i = 0; i < dataLength; i++) {
            m[8 + i] = (byte) (i * 13 + 1);
        }
        put16(m, 2, checksum(m, 0, m.length, 0));
        return m;
    }

    static byte[] udp(int srcPort, int dstPort, int dataLength) {
        byte[] m = new byte[8 + dataLength];
        put16(m, 0, srcPort);
        put16(m, 2, dstPort);
        put16(m, 4, m.length);
        return m;
    }

    /** A TCP segment (20-byte header, ACK) whose checksum covers the IPv4 pseudo-header of src and dst. */
    static byte[] tcp(String src, String dst, int srcPort, int dstPort, int dataLength) {
        byte[] m = new byte[20 + dataLength];
        put16(m, 0, srcPort);
        put16(m, 2, dstPort);
        m[12] = 0x50;
        m[13] = 0x10;
        put16(m, 14, 65535);
        for (int i = 0; i < dataLength; i++) {
            m[20 + i] = (byte) (i * 31 + 7);
        }
        put16(m, 16, checksum(m, 0, m.length, pseudo4(ip(src), ip(dst), 6, m.length)));
        return m;
    }

    /** A UDP datagram with its checksum (or none, {@code 0}, when {@code withChecksum} is false). */
    static byte[] udp(String src, String dst, int srcPort, int dstPort, int dataLength, boolean withChecksum) {
        byte[] m = udp(srcPort, dstPort, dataLength);
        for (int i = 0; i < dataLength; i++) {
            m[8 + i] = (byte) (i * 17 + 3);
        }
        if (withChecksum) {
            int c = checksum(m, 0, m.length, pseudo4(ip(src), ip(dst), 17, m.length));
            put16(m, 6, c == 0 ? 0xFFFF : c);
        }
        return m;
    }

    static long pseudo4(byte[] src, byte[] dst, int proto, int length) {
        return u16(src, 0) + u16(src, 2) + u16(dst, 0) + u16(dst, 2) + proto + length;
    }

    static byte[] ipv6(long dstMac, long srcMac, String src, String dst, int hopLimit, int next, byte[] payload) {
        byte[] f = new byte[14 + 40 + payload.length];
        mac(f, 0, dstMac);
        mac(f, 6, srcMac);
        put16(f, 12, 0x86DD);
        f[14] = 0x60;
        put16(f, 18, payload.length);
        f[20] = (byte) next;
        f[21] = (byte) hopLimit;
        System.arraycopy(ip(src), 0, f, 22, 16);
        System.arraycopy(ip(dst), 0, f, 38, 16);
        System.arraycopy(payload, 0, f, 54, payload.length);
        if (next == 58) {
            put16(f, 54 + 2, 0);
            put16(f, 54 + 2, checksum(f, 54, payload.length, pseudo6(f, payload.length)));
        }
        return f;
    }

    private static long pseudo6(byte[] f, int upperLength) {
        long sum = 0;
        for (int i = 22; i < 54; i += 2) {
            sum += u16(f, i);
        }
        return sum + upperLength + 58;
    }

    /** An ICMPv6 message, checksum left zero (filled by {@link #ipv6}). */
    static byte[] icmp6(int type, int code, byte[] body) {
        byte[] m = new byte[4 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        System.arraycopy(body, 0, m, 4, body.length);
        return m;
    }

    static byte[] echo6(int id, int seq, int dataLength) {
        byte[] body = new byte[4 + dataLength];
        put16(body, 0, id);
        put16(body, 2, seq);
        return icmp6(128, 0, body);
    }

    /** A neighbour solicitation for {@code target} with a source link-layer address option. */
    static byte[] solicitation(String target, long senderMac) {
        byte[] body = new byte[4 + 16 + 8];
        System.arraycopy(ip(target), 0, body, 4, 16);
        body[20] = 1;
        body[21] = 1;
        mac(body, 22, senderMac);
        return icmp6(135, 0, body);
    }

    static byte[] advertisement(String target, long mac) {
        byte[] body = new byte[4 + 16 + 8];
        body[0] = (byte) 0x60; // solicited, override
        System.arraycopy(ip(target), 0, body, 4, 16);
        body[20] = 2;
        body[21] = 1;
        mac(body, 22, mac);
        return icmp6(136, 0, body);
    }

    static byte[] arp(long ethDst, int op, long senderMac, String senderIp, long targetMac, String targetIp) {
        byte[] f = new byte[42];
        mac(f, 0, ethDst);
        mac(f, 6, senderMac);
        put16(f, 12, 0x0806);
        put16(f, 14, 1);
        put16(f, 16, 0x0800);
        f[18] = 6;
        f[19] = 4;
        put16(f, 20, op);
        mac(f, 22, senderMac);
        System.arraycopy(ip(senderIp), 0, f, 28, 4);
        mac(f, 32, targetMac);
        System.arraycopy(ip(targetIp), 0, f, 38, 4);
        return f;
    }

    // ---------------------------------------------------------------- decoding

    /** An IPv4 packet in an Ethernet frame, every check made. */
    static final class V4 {
        final long dstMac, srcMac;
        final int ttl, proto, total, flags;
        final String src, dst;
        final boolean headerChecksumOk;
        final byte[] payload;

        V4(byte[] f) {
            dstMac = mac(f, 0);
            srcMac = mac(f, 6);
            if (u16(f, 12) != 0x0800 || (f[14] & 0xFF) != 0x45) {
                throw new AssertionError("not a plain IPv4 frame");
            }
            total = u16(f, 16);
            if (14 + total > f.length) {
                throw new AssertionError("IPv4 total length " + total + " beyond the frame (" + f.length + ")");
            }
            flags = u16(f, 20);
            ttl = f[22] & 0xFF;
            proto = f[23] & 0xFF;
            src = text(Arrays.copyOfRange(f, 26, 30));
            dst = text(Arrays.copyOfRange(f, 30, 34));
            headerChecksumOk = checksum(f, 14, 20, 0) == 0;
            payload = Arrays.copyOfRange(f, 34, 14 + total);
        }

        /** Whether the TCP or UDP checksum verifies against this packet's own addresses. */
        boolean transportChecksumOk() {
            return checksum(payload, 0, payload.length, pseudo4(ip(src), ip(dst), proto, payload.length)) == 0;
        }

        Icmp icmp() {
            if (proto != 1) {
                throw new AssertionError("not ICMP: " + proto);
            }
            return new Icmp(payload, checksum(payload, 0, payload.length, 0) == 0);
        }
    }

    static final class V6 {
        final long dstMac, srcMac;
        final int hopLimit, next, payloadLength;
        final String src, dst;
        final byte[] payload;
        final boolean icmpChecksumOk;

        V6(byte[] f) {
            dstMac = mac(f, 0);
            srcMac = mac(f, 6);
            if (u16(f, 12) != 0x86DD || (f[14] & 0xF0) != 0x60) {
                throw new AssertionError("not an IPv6 frame");
            }
            payloadLength = u16(f, 18);
            next = f[20] & 0xFF;
            hopLimit = f[21] & 0xFF;
            src = text(Arrays.copyOfRange(f, 22, 38));
            dst = text(Arrays.copyOfRange(f, 38, 54));
            payload = Arrays.copyOfRange(f, 54, 54 + payloadLength);
            icmpChecksumOk = next == 58 && checksum(f, 54, payloadLength, pseudo6(f, payloadLength)) == 0;
        }

        Icmp icmp() {
            if (next != 58) {
                throw new AssertionError("not ICMPv6: " + next);
            }
            return new Icmp(payload, icmpChecksumOk);
        }
    }

    static final class Icmp {
        final int type, code;
        final long rest;
        final boolean checksumOk;
        final byte[] body;

        Icmp(byte[] m, boolean checksumOk) {
            type = m[0] & 0xFF;
            code = m[1] & 0xFF;
            rest = ((long) u16(m, 4) << 16) | u16(m, 6);
            this.checksumOk = checksumOk;
            body = Arrays.copyOfRange(m, 8, m.length);
        }
    }
}
