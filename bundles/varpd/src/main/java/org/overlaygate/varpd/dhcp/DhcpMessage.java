package org.overlaygate.varpd.dhcp;

import java.nio.ByteBuffer;

/**
 * A DHCPv4 client message (RFC 2131, options of RFC 2132) read from a whole Ethernet frame: the
 * Ethernet, IPv4 and UDP headers are checked as strictly as the BOOTP part (lengths that agree, no
 * fragment, the UDP checksum when there is one), so that a truncated or forged packet is refused,
 * counted and never answered. Immutable; parsed off the data path, on the DHCP thread.
 */
final class DhcpMessage {
    static final int DISCOVER = 1;
    static final int OFFER = 2;
    static final int REQUEST = 3;
    static final int DECLINE = 4;
    static final int ACK = 5;
    static final int NAK = 6;
    static final int RELEASE = 7;
    static final int INFORM = 8;

    static final int SERVER_PORT = 67;
    static final int CLIENT_PORT = 68;
    static final int MAGIC = 0x63825363;
    /** op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file. */
    static final int BOOTP_FIXED = 236;
    static final int FLAG_BROADCAST = 0x8000;

    /** Why a frame is not a DHCP client message we answer. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    final long sourceMac;
    final int sourceIp;
    final int destinationIp;
    final int xid;
    final int secs;
    final int flags;
    final int ciaddr;
    final int giaddr;
    final long chaddr;
    final int type;
    /** Option 50, or 0. */
    final int requestedIp;
    /** Option 54, or 0. */
    final int serverId;
    /** Option 55, or empty. */
    final byte[] parameters;

    private DhcpMessage(long sourceMac, int sourceIp, int destinationIp, int xid, int secs, int flags, int ciaddr, int giaddr, long chaddr,
            int type, int requestedIp, int serverId, byte[] parameters) {
        this.sourceMac = sourceMac;
        this.sourceIp = sourceIp;
        this.destinationIp = destinationIp;
        this.xid = xid;
        this.secs = secs;
        this.flags = flags;
        this.ciaddr = ciaddr;
        this.giaddr = giaddr;
        this.chaddr = chaddr;
        this.type = type;
        this.requestedIp = requestedIp;
        this.serverId = serverId;
        this.parameters = parameters;
    }

    boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    /**
     * Whether [offset, offset+length) looks like a DHCP client message (IPv4, UDP to port 67), read
     * from a few bytes without allocating: what the data-path thread decides to take off the wire.
     * The whole message is checked later by {@link #parse}.
     */
    static boolean isToServer(ByteBuffer b, int offset, int length) {
        if (length < 14 + 20 + 8 || (b.getShort(offset + 12) & 0xFFFF) != 0x0800) {
            return false;
        }
        int ip = offset + 14;
        int ihl = (b.get(ip) & 0x0F) * 4;
        if ((b.get(ip) & 0xF0) != 0x40 || ihl < 20 || length < 14 + ihl + 8 || b.get(ip + 9) != 17) {
            return false;
        }
        return (b.getShort(ip + ihl + 2) & 0xFFFF) == SERVER_PORT;
    }

    /** Parses a whole frame (untagged Ethernet). */
    static DhcpMessage parse(byte[] f) throws Malformed {
        ByteBuffer b = ByteBuffer.wrap(f);
        if (f.length < 14 + 20 + 8) {
            throw new Malformed("shorter than Ethernet, IPv4 and UDP headers");
        }
        if ((b.getShort(12) & 0xFFFF) != 0x0800) {
            throw new Malformed("not IPv4");
        }
        long sourceMac = mac(b, 6);
        int ip = 14;
        int vihl = b.get(ip) & 0xFF;
        int ihl = (vihl & 0x0F) * 4;
        if ((vihl >>> 4) != 4 || ihl < 20) {
            throw new Malformed("not an IPv4 header");
        }
        int total = b.getShort(ip + 2) & 0xFFFF;
        if (total < ihl + 8 || ip + total > f.length) {
            throw new Malformed("IPv4 total length " + total + " does not fit the frame");
        }
        if ((b.getShort(ip + 6) & 0x3FFF) != 0) {
            throw new Malformed("a fragment");
        }
        if (b.get(ip + 9) != 17) {
            throw new Malformed("not UDP");
        }
        if (Checksums.fold(Checksums.sum(f, ip, ihl, 0)) != 0) {
            throw new Malformed("bad IPv4 header checksum");
        }
        int sourceIp = b.getInt(ip + 12);
        int destinationIp = b.getInt(ip + 16);
        int udp = ip + ihl;
        if ((b.getShort(udp + 2) & 0xFFFF) != SERVER_PORT) {
            throw new Malformed("not to UDP port 67");
        }
        int udpLength = b.getShort(udp + 4) & 0xFFFF;
        if (udpLength < 8 || udpLength > total - ihl) {
            throw new Malformed("UDP length " + udpLength + " does not fit the IPv4 packet");
        }
        int checksum = b.getShort(udp + 6) & 0xFFFF;
        if (checksum != 0) {
            long pseudo = Checksums.pseudoHeader(sourceIp, destinationIp, 17, udpLength);
            if (Checksums.fold(Checksums.sum(f, udp, udpLength, pseudo)) != 0) {
                throw new Malformed("bad UDP checksum");
            }
        }
        int d = udp + 8;
        int end = udp + udpLength;
        if (end - d < BOOTP_FIXED + 4) {
            throw new Malformed("BOOTP message truncated (" + (end - d) + " bytes)");
        }
        if (b.get(d) != 1) {
            throw new Malformed("BOOTP op is not BOOTREQUEST");
        }
        if (b.get(d + 1) != 1 || b.get(d + 2) != 6) {
            throw new Malformed("hardware type is not Ethernet (htype 1, hlen 6)");
        }
        int xid = b.getInt(d + 4);
        int secs = b.getShort(d + 8) & 0xFFFF;
        int flags = b.getShort(d + 10) & 0xFFFF;
        int ciaddr = b.getInt(d + 12);
        int giaddr = b.getInt(d + 24);
        long chaddr = mac(b, d + 28);
        if (b.getInt(d + BOOTP_FIXED) != MAGIC) {
            throw new Malformed("no DHCP magic cookie (plain BOOTP)");
        }
        int type = 0;
        int requested = 0;
        int server = 0;
        byte[] parameters = new byte[0];
        int o = d + BOOTP_FIXED + 4;
        boolean ended = false;
        while (o < end) {
            int code = b.get(o) & 0xFF;
            if (code == 0) {
                o++;
                continue;
            }
            if (code == 255) {
                ended = true;
                break;
            }
            if (o + 1 >= end) {
                throw new Malformed("option " + code + " truncated");
            }
            int len = b.get(o + 1) & 0xFF;
            int v = o + 2;
            if (v + len > end) {
                throw new Malformed("option " + code + " runs past the message");
            }
            switch (code) {
                case 53:
                    type = exactly(b, code, len, 1) ? b.get(v) & 0xFF : 0;
                    break;
                case 50:
                    requested = exactly(b, code, len, 4) ? b.getInt(v) : 0;
                    break;
                case 54:
                    server = exactly(b, code, len, 4) ? b.getInt(v) : 0;
                    break;
                case 55:
                    parameters = new byte[len];
                    b.get(v, parameters);
                    break;
                case 52:
                    throw new Malformed("option overload (52) is not supported");
                default:
                    break;
            }
            o = v + len;
        }
        if (!ended) {
            throw new Malformed("options without an end option (255)");
        }
        if (type < DISCOVER || type > INFORM || type == OFFER || type == ACK || type == NAK) {
            throw new Malformed(type == 0 ? "no DHCP message type (option 53)" : "message type " + type + " is not a client's");
        }
        if (chaddr != sourceMac && giaddr == 0) {
            throw new Malformed("client hardware address differs from the frame's source");
        }
        return new DhcpMessage(sourceMac, sourceIp, destinationIp, xid, secs, flags, ciaddr, giaddr, chaddr, type, requested, server,
                parameters);
    }

    private static boolean exactly(ByteBuffer b, int code, int len, int want) throws Malformed {
        if (len != want) {
            throw new Malformed("option " + code + " has length " + len + ", not " + want);
        }
        return true;
    }

    static long mac(ByteBuffer b, int at) {
        return ((long) (b.getShort(at) & 0xFFFF) << 32) | (b.getInt(at + 2) & 0xFFFFFFFFL);
    }

    static String typeName(int type) {
        switch (type) {
            case DISCOVER:
                return "DISCOVER";
            case OFFER:
                return "OFFER";
            case REQUEST:
                return "REQUEST";
            case DECLINE:
                return "DECLINE";
            case ACK:
                return "ACK";
            case NAK:
                return "NAK";
            case RELEASE:
                return "RELEASE";
            case INFORM:
                return "INFORM";
            default:
                return "type " + type;
        }
    }
}
