package org.overlaygate.router;

import java.nio.ByteBuffer;

import org.overlaygate.api.MacAddress;

/**
 * Writes the frames a router originates (ARP, neighbour discovery, echo replies, ICMP and ICMPv6
 * errors) into a buffer at an offset, and reads the few fields it needs from frames it is given.
 * Every method writes with absolute indexes and returns the frame's length; nothing allocates.
 * Buffers are big-endian (the data path's are).
 */
final class Packets {
    static final int ETH = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int PROTO_ICMPV6 = 58;
    static final int PROTO_FRAGMENT = 44;
    /** ICMPv4 errors carry at most what fits in 576 bytes (RFC 1812 4.3.2.3, and Linux). */
    static final int ICMP4_MAX = 576;
    /** ICMPv6 errors fit in the minimum MTU (RFC 4443 2.4 c). */
    static final int ICMP6_MAX = 1280;
    static final long ALL_NODES_MAC = 0x3333_0000_0001L;
    static final long ALL_NODES_HI = 0xFF02_0000_0000_0000L;
    static final long ALL_NODES_LO = 1L;

    private Packets() {
    }

    static int u8(ByteBuffer b, int i) {
        return b.get(i) & 0xFF;
    }

    static int u16(ByteBuffer b, int i) {
        return b.getShort(i) & 0xFFFF;
    }

    static void ethernet(ByteBuffer b, int o, long dst, long src, int type) {
        MacAddress.write(b, o, dst);
        MacAddress.write(b, o + 6, src);
        b.putShort(o + 12, (short) type);
    }

    // ---------------------------------------------------------------- ARP

    /** An ARP request or reply for IPv4 over Ethernet, 42 bytes. */
    static int arp(ByteBuffer b, int o, int op, long ethDst, long senderMac, int senderIp, long targetMac, int targetIp) {
        ethernet(b, o, ethDst, senderMac, ETHERTYPE_ARP);
        int a = o + ETH;
        b.putShort(a, (short) 1).putShort(a + 2, (short) ETHERTYPE_IPV4).put(a + 4, (byte) 6).put(a + 5, (byte) 4);
        b.putShort(a + 6, (short) op);
        MacAddress.write(b, a + 8, senderMac);
        b.putInt(a + 14, senderIp);
        MacAddress.write(b, a + 18, targetMac);
        b.putInt(a + 24, targetIp);
        return ETH + 28;
    }

    // ---------------------------------------------------------------- IPv4

    static void ipv4Header(ByteBuffer b, int l3, int totalLength, int ttl, int protocol, int src, int dst) {
        b.put(l3, (byte) 0x45).put(l3 + 1, (byte) 0).putShort(l3 + 2, (short) totalLength);
        b.putShort(l3 + 4, (short) 0).putShort(l3 + 6, (short) 0);
        b.put(l3 + 8, (byte) ttl).put(l3 + 9, (byte) protocol).putShort(l3 + 10, (short) 0);
        b.putInt(l3 + 12, src).putInt(l3 + 16, dst);
        b.putShort(l3 + 10, (short) Checksum.of(b, l3, 20));
    }

    /**
     * An ICMPv4 error about the IPv4 packet at [inL3, inL3+inLength) of {@code in}, quoting as
     * much of it as fits in {@link #ICMP4_MAX} bytes.
     *
     * @param rest the second word of the ICMP header (the next-hop MTU in the low 16 bits for fragmentation needed)
     */
    static int icmp4Error(ByteBuffer b, int o, long ethDst, long ethSrc, int src, int dst, int type, int code, int rest,
            ByteBuffer in, int inL3, int inLength) {
        int quoted = Math.min(inLength, ICMP4_MAX - 28);
        ethernet(b, o, ethDst, ethSrc, ETHERTYPE_IPV4);
        int l3 = o + ETH;
        ipv4Header(b, l3, 28 + quoted, 64, PROTO_ICMP, src, dst);
        int ic = l3 + 20;
        b.put(ic, (byte) type).put(ic + 1, (byte) code).putShort(ic + 2, (short) 0).putInt(ic + 4, rest);
        b.put(ic + 8, in, inL3, quoted);
        b.putShort(ic + 2, (short) Checksum.of(b, ic, 8 + quoted));
        return ETH + 28 + quoted;
    }

    /**
     * An echo reply to the echo request whose IPv4 packet is at [inL3, inL3+ipLength) of
     * {@code in}: the same identifier, sequence and data, from the address asked.
     */
    static int echoReply4(ByteBuffer b, int o, long ethDst, long ethSrc, ByteBuffer in, int inL3, int ipLength) {
        int ihl = (u8(in, inL3) & 0x0F) * 4;
        int icmpLength = ipLength - ihl;
        ethernet(b, o, ethDst, ethSrc, ETHERTYPE_IPV4);
        int l3 = o + ETH;
        ipv4Header(b, l3, 20 + icmpLength, 64, PROTO_ICMP, in.getInt(inL3 + 16), in.getInt(inL3 + 12));
        int ic = l3 + 20;
        b.put(ic, in, inL3 + ihl, icmpLength);
        b.put(ic, (byte) 0);
        b.putShort(ic + 2, (short) Checksum.update(u16(in, inL3 + ihl + 2), 0x0800, 0x0000));
        return ETH + 20 + icmpLength;
    }

    // ---------------------------------------------------------------- IPv6

    static void ipv6Header(ByteBuffer b, int l3, int payloadLength, int nextHeader, int hopLimit, long srcHi, long srcLo,
            long dstHi, long dstLo) {
        b.putInt(l3, 0x6000_0000).putShort(l3 + 4, (short) payloadLength).put(l3 + 6, (byte) nextHeader).put(l3 + 7, (byte) hopLimit);
        b.putLong(l3 + 8, srcHi).putLong(l3 + 16, srcLo).putLong(l3 + 24, dstHi).putLong(l3 + 32, dstLo);
    }

    /** Fills in the ICMPv6 checksum of the packet whose IPv6 header is at {@code l3} (no extension headers). */
    static void icmp6Checksum(ByteBuffer b, int l3, int icmpLength) {
        int ic = l3 + 40;
        b.putShort(ic + 2, (short) 0);
        long sum = Checksum.pseudoV6(b, l3 + 8, l3 + 24, icmpLength, PROTO_ICMPV6);
        b.putShort(ic + 2, (short) Checksum.finish(Checksum.sum(b, ic, icmpLength, sum)));
    }

    /** An ICMPv6 error about the IPv6 packet at [inL3, inL3+inLength) of {@code in}, quoting what fits in 1280 bytes. */
    static int icmp6Error(ByteBuffer b, int o, long ethDst, long ethSrc, long srcHi, long srcLo, long dstHi, long dstLo,
            int type, int code, int rest, ByteBuffer in, int inL3, int inLength) {
        int quoted = Math.min(inLength, ICMP6_MAX - 48);
        ethernet(b, o, ethDst, ethSrc, ETHERTYPE_IPV6);
        int l3 = o + ETH;
        ipv6Header(b, l3, 8 + quoted, PROTO_ICMPV6, 64, srcHi, srcLo, dstHi, dstLo);
        int ic = l3 + 40;
        b.put(ic, (byte) type).put(ic + 1, (byte) code).putInt(ic + 4, rest);
        b.put(ic + 8, in, inL3, quoted);
        icmp6Checksum(b, l3, 8 + quoted);
        return ETH + 48 + quoted;
    }

    /** An echo reply to the ICMPv6 echo request at {@code inL3} (no extension headers), from the address it was sent to. */
    static int echoReply6(ByteBuffer b, int o, long ethDst, long ethSrc, ByteBuffer in, int inL3) {
        int icmpLength = u16(in, inL3 + 4);
        ethernet(b, o, ethDst, ethSrc, ETHERTYPE_IPV6);
        int l3 = o + ETH;
        ipv6Header(b, l3, icmpLength, PROTO_ICMPV6, 64, in.getLong(inL3 + 24), in.getLong(inL3 + 32), in.getLong(inL3 + 8),
                in.getLong(inL3 + 16));
        int ic = l3 + 40;
        b.put(ic, in, inL3 + 40, icmpLength);
        b.put(ic, (byte) 129).put(ic + 1, (byte) 0);
        icmp6Checksum(b, l3, icmpLength);
        return ETH + 40 + icmpLength;
    }

    /** A neighbour advertisement (solicited, router, override) for {@code target}, with its link-layer address. */
    static int neighbourAdvertisement(ByteBuffer b, int o, long ethDst, long mac, long targetHi, long targetLo, long dstHi,
            long dstLo) {
        ethernet(b, o, ethDst, mac, ETHERTYPE_IPV6);
        int l3 = o + ETH;
        boolean solicited = dstHi != ALL_NODES_HI || dstLo != ALL_NODES_LO;
        ipv6Header(b, l3, 32, PROTO_ICMPV6, 255, targetHi, targetLo, dstHi, dstLo);
        int ic = l3 + 40;
        b.put(ic, (byte) 136).put(ic + 1, (byte) 0).putShort(ic + 2, (short) 0);
        b.putInt(ic + 4, solicited ? 0xE000_0000 : 0xA000_0000);
        b.putLong(ic + 8, targetHi).putLong(ic + 16, targetLo);
        b.put(ic + 24, (byte) 2).put(ic + 25, (byte) 1);
        MacAddress.write(b, ic + 26, mac);
        icmp6Checksum(b, l3, 32);
        return ETH + 72;
    }

    /** A neighbour solicitation for {@code target} to its solicited-node group, with the source's link-layer address. */
    static int neighbourSolicitation(ByteBuffer b, int o, long mac, long srcHi, long srcLo, long targetHi, long targetLo) {
        long low24 = targetLo & 0xFF_FFFFL;
        ethernet(b, o, 0x3333_FF00_0000L | low24, mac, ETHERTYPE_IPV6);
        int l3 = o + ETH;
        ipv6Header(b, l3, 32, PROTO_ICMPV6, 255, srcHi, srcLo, 0xFF02_0000_0000_0000L, 0x0000_0001_FF00_0000L | low24);
        int ic = l3 + 40;
        b.put(ic, (byte) 135).put(ic + 1, (byte) 0).putShort(ic + 2, (short) 0).putInt(ic + 4, 0);
        b.putLong(ic + 8, targetHi).putLong(ic + 16, targetLo);
        b.put(ic + 24, (byte) 1).put(ic + 25, (byte) 1);
        MacAddress.write(b, ic + 26, mac);
        icmp6Checksum(b, l3, 32);
        return ETH + 72;
    }

    /**
     * A router advertisement: this router as a default router (lifetime 1800 s), its link-layer
     * address, the overlay's MTU and each IPv6 prefix of the port (autonomous when it is a /64).
     */
    static int routerAdvertisement(ByteBuffer b, int o, long ethDst, long mac, long srcHi, long srcLo, long dstHi, long dstLo,
            int mtu, Prefix[] prefixes) {
        ethernet(b, o, ethDst, mac, ETHERTYPE_IPV6);
        int l3 = o + ETH;
        int ic = l3 + 40;
        b.put(ic, (byte) 134).put(ic + 1, (byte) 0).putShort(ic + 2, (short) 0);
        b.put(ic + 4, (byte) 64).put(ic + 5, (byte) 0).putShort(ic + 6, (short) 1800);
        b.putInt(ic + 8, 0).putInt(ic + 12, 0);
        int p = ic + 16;
        b.put(p, (byte) 1).put(p + 1, (byte) 1);
        MacAddress.write(b, p + 2, mac);
        p += 8;
        b.put(p, (byte) 5).put(p + 1, (byte) 1).putShort(p + 2, (short) 0).putInt(p + 4, mtu);
        p += 8;
        for (Prefix x : prefixes) {
            b.put(p, (byte) 3).put(p + 1, (byte) 4).put(p + 2, (byte) x.length);
            b.put(p + 3, (byte) (x.length == 64 ? 0xC0 : 0x80));
            b.putInt(p + 4, 2_592_000).putInt(p + 8, 604_800).putInt(p + 12, 0);
            b.putLong(p + 16, x.hi & x.maskHi).putLong(p + 24, x.lo & x.maskLo);
            p += 32;
        }
        int icmpLength = p - ic;
        ipv6Header(b, l3, icmpLength, PROTO_ICMPV6, 255, srcHi, srcLo, dstHi, dstLo);
        icmp6Checksum(b, l3, icmpLength);
        return p - o;
    }
}
