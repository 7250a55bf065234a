package org.overlaygate.core.os;

import java.nio.ByteBuffer;

/** Test helper: reading and building the few Ethernet/IPv4/ICMP frames the tests exchange. */
final class Frames {
    static final int ETH_HEADER = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int IPPROTO_ICMP = 1;
    static final int ICMP_ECHO_REPLY = 0;
    static final int ICMP_ECHO_REQUEST = 8;

    private Frames() {
    }

    static long mac(ByteBuffer b, int index) {
        return ((b.getInt(index) & 0xFFFF_FFFFL) << 16) | (b.getShort(index + 4) & 0xFFFFL);
    }

    static void putMac(ByteBuffer b, int index, long mac) {
        b.putInt(index, (int) (mac >>> 16));
        b.putShort(index + 4, (short) mac);
    }

    static long dstMac(ByteBuffer frame) {
        return mac(frame, 0);
    }

    static long srcMac(ByteBuffer frame) {
        return mac(frame, 6);
    }

    static int ethertype(ByteBuffer frame) {
        return frame.getShort(12) & 0xFFFF;
    }

    /** True for an IPv4 ICMP frame (no VLAN tag) of at least a full ICMP header. */
    static boolean isIcmpv4(ByteBuffer frame, int length) {
        return length >= ETH_HEADER + 28 && ethertype(frame) == ETHERTYPE_IPV4 && (frame.get(ETH_HEADER) & 0xF0) == 0x40
                && (frame.get(ETH_HEADER + 9) & 0xFF) == IPPROTO_ICMP;
    }

    static int ipHeaderLength(ByteBuffer b, int ipOffset) {
        return (b.get(ipOffset) & 0x0F) * 4;
    }

    static int icmpType(ByteBuffer frame) {
        return frame.get(ETH_HEADER + ipHeaderLength(frame, ETH_HEADER)) & 0xFF;
    }

    /** The Internet checksum (RFC 1071) of [offset, offset+length). */
    static int checksum(ByteBuffer b, int offset, int length) {
        long sum = 0;
        int i = offset;
        for (; i + 1 < offset + length; i += 2) {
            sum += ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
        }
        if (i < offset + length) {
            sum += (b.get(i) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /**
     * Turns the Ethernet/IPv4/ICMP echo request in {@code request} [0, length) into the echo reply
     * in {@code reply} [0, length): MACs and IPs swapped, TTL 64, type 0, both checksums recomputed.
     */
    static void echoReply(ByteBuffer request, int length, ByteBuffer reply) {
        for (int i = 0; i < length; i++) {
            reply.put(i, request.get(i));
        }
        putMac(reply, 0, srcMac(request));
        putMac(reply, 6, dstMac(request));
        int ip = ETH_HEADER;
        int ihl = ipHeaderLength(request, ip);
        reply.putInt(ip + 12, request.getInt(ip + 16));
        reply.putInt(ip + 16, request.getInt(ip + 12));
        reply.put(ip + 8, (byte) 64);
        reply.putShort(ip + 10, (short) 0);
        reply.putShort(ip + 10, (short) checksum(reply, ip, ihl));
        int icmp = ip + ihl;
        int ipTotal = request.getShort(ip + 2) & 0xFFFF;
        reply.put(icmp, (byte) ICMP_ECHO_REPLY);
        reply.putShort(icmp + 2, (short) 0);
        reply.putShort(icmp + 2, (short) checksum(reply, icmp, ipTotal - ihl));
    }

    /**
     * Writes an Ethernet/IPv4/ICMP echo request into {@code b} [0, return value): 20-byte IP
     * header, DF, TTL 64, identifier/sequence as given, {@code payload} bytes of pattern.
     */
    static int echoRequest(ByteBuffer b, long dstMac, long srcMac, int srcIp, int dstIp, int id, int seq, int payload) {
        putMac(b, 0, dstMac);
        putMac(b, 6, srcMac);
        b.putShort(12, (short) ETHERTYPE_IPV4);
        int ip = ETH_HEADER;
        int total = 20 + 8 + payload;
        b.put(ip, (byte) 0x45);
        b.put(ip + 1, (byte) 0);
        b.putShort(ip + 2, (short) total);
        b.putShort(ip + 4, (short) seq);
        b.putShort(ip + 6, (short) 0x4000);
        b.put(ip + 8, (byte) 64);
        b.put(ip + 9, (byte) IPPROTO_ICMP);
        b.putShort(ip + 10, (short) 0);
        b.putInt(ip + 12, srcIp);
        b.putInt(ip + 16, dstIp);
        b.putShort(ip + 10, (short) checksum(b, ip, 20));
        int icmp = ip + 20;
        icmpEcho(b, icmp, id, seq, payload);
        return ETH_HEADER + total;
    }

    /** Writes an ICMP echo request (header + payload) at {@code offset}; returns its length. */
    static int icmpEcho(ByteBuffer b, int offset, int id, int seq, int payload) {
        b.put(offset, (byte) ICMP_ECHO_REQUEST);
        b.put(offset + 1, (byte) 0);
        b.putShort(offset + 2, (short) 0);
        b.putShort(offset + 4, (short) id);
        b.putShort(offset + 6, (short) seq);
        for (int i = 0; i < payload; i++) {
            b.put(offset + 8 + i, (byte) (i * 7 + seq));
        }
        b.putShort(offset + 2, (short) checksum(b, offset, 8 + payload));
        return 8 + payload;
    }

    static int ipv4(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    static String hex(ByteBuffer b, int offset, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(String.format("%02x", b.get(offset + i)));
        }
        return s.toString();
    }
}
