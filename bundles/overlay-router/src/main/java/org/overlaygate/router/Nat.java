package org.overlaygate.router;

import static org.overlaygate.router.Packets.u16;
import static org.overlaygate.router.Packets.u8;

import java.nio.ByteBuffer;

/**
 * Rewrites an IPv4 address in a packet for 1:1 NAT, with RFC 1624 incremental updates of the
 * checksums that cover it: the IP header's, and TCP's and UDP's (their pseudo-header holds both
 * addresses) when the packet carries the transport header (not a later fragment). UDP without a
 * checksum keeps none; a UDP checksum that comes out 0 is sent as 0xFFFF (RFC 768). ICMP's does not
 * cover the addresses. Allocates nothing.
 */
final class Nat {
    private Nat() {
    }

    /**
     * @param l3 the IPv4 header's offset
     * @param field 12 (source) or 16 (destination)
     */
    static void rewrite(ByteBuffer s, int l3, int ihl, int total, int field, int address) {
        int old = s.getInt(l3 + field);
        s.putShort(l3 + 10, (short) update(u16(s, l3 + 10), old, address));
        if ((u16(s, l3 + 6) & 0x1FFF) == 0) {
            int proto = u8(s, l3 + 9);
            int l4 = l3 + ihl;
            if (proto == Packets.PROTO_TCP && total >= ihl + 18) {
                s.putShort(l4 + 16, (short) update(u16(s, l4 + 16), old, address));
            } else if (proto == Packets.PROTO_UDP && total >= ihl + 8 && u16(s, l4 + 6) != 0) {
                int sum = update(u16(s, l4 + 6), old, address);
                s.putShort(l4 + 6, (short) (sum == 0 ? 0xFFFF : sum));
            }
        }
        s.putInt(l3 + field, address);
    }

    private static int update(int checksum, int oldAddress, int newAddress) {
        int c = Checksum.update(checksum, oldAddress >>> 16, newAddress >>> 16);
        return Checksum.update(c, oldAddress & 0xFFFF, newAddress & 0xFFFF);
    }

    /**
     * Rewrites a transport port (TCP, UDP: the source at 0 or the destination at 2 of the header)
     * or an ICMP echo identifier ({@code at} ignored), updating the checksum that covers it.
     */
    static void rewritePort(ByteBuffer s, int l3, int ihl, int at, int port) {
        int proto = u8(s, l3 + 9);
        int l4 = l3 + ihl;
        if (proto == Packets.PROTO_ICMP) {
            int old = u16(s, l4 + 4);
            s.putShort(l4 + 2, (short) Checksum.update(u16(s, l4 + 2), old, port));
            s.putShort(l4 + 4, (short) port);
            return;
        }
        int old = u16(s, l4 + at);
        if (proto == Packets.PROTO_TCP) {
            s.putShort(l4 + 16, (short) Checksum.update(u16(s, l4 + 16), old, port));
        } else if (u16(s, l4 + 6) != 0) {
            int sum = Checksum.update(u16(s, l4 + 6), old, port);
            s.putShort(l4 + 6, (short) (sum == 0 ? 0xFFFF : sum));
        }
        s.putShort(l4 + at, (short) port);
    }

    /**
     * The packet an ICMP error quotes (RFC 792: the header and at least 8 bytes of what it is
     * about), as it left through the translation: its source {@code address} and, unless
     * {@code port} is -1, its source port (or echo identifier) put back to what the inside host
     * sent, so that the host's stack matches the error to its socket (path-MTU discovery,
     * traceroute). The quoted header's checksum is updated, the quoted transport checksum too when
     * it is there whole, and the ICMP checksum computed again over the message.
     *
     * @param l4 the ICMP error's offset; {@code icmpLength} its length
     */
    static void rewriteQuoted(ByteBuffer s, int l4, int icmpLength, int address, int port) {
        int q = l4 + 8;
        int qihl = (u8(s, q) & 0x0F) * 4;
        int quotedLength = icmpLength - 8;
        int old = s.getInt(q + 12);
        s.putShort(q + 10, (short) update(u16(s, q + 10), old, address));
        int proto = u8(s, q + 9);
        int ql4 = q + qihl;
        int l4Length = quotedLength - qihl;
        if (proto == Packets.PROTO_TCP && l4Length >= 18) {
            s.putShort(ql4 + 16, (short) update(u16(s, ql4 + 16), old, address));
        } else if (proto == Packets.PROTO_UDP && l4Length >= 8 && u16(s, ql4 + 6) != 0) {
            int sum = update(u16(s, ql4 + 6), old, address);
            s.putShort(ql4 + 6, (short) (sum == 0 ? 0xFFFF : sum));
        }
        s.putInt(q + 12, address);
        if (port >= 0) {
            if (proto == Packets.PROTO_ICMP) {
                int oldId = u16(s, ql4 + 4);
                s.putShort(ql4 + 2, (short) Checksum.update(u16(s, ql4 + 2), oldId, port));
                s.putShort(ql4 + 4, (short) port);
            } else {
                int oldPort = u16(s, ql4);
                if (proto == Packets.PROTO_TCP && l4Length >= 18) {
                    s.putShort(ql4 + 16, (short) Checksum.update(u16(s, ql4 + 16), oldPort, port));
                } else if (proto == Packets.PROTO_UDP && l4Length >= 8 && u16(s, ql4 + 6) != 0) {
                    int sum = Checksum.update(u16(s, ql4 + 6), oldPort, port);
                    s.putShort(ql4 + 6, (short) (sum == 0 ? 0xFFFF : sum));
                }
                s.putShort(ql4, (short) port);
            }
        }
        s.putShort(l4 + 2, (short) 0);
        s.putShort(l4 + 2, (short) Checksum.of(s, l4, icmpLength));
    }
}
