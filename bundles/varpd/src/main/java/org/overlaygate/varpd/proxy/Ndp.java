package org.overlaygate.varpd.proxy;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Objects;

import org.overlaygate.api.MacAddress;

/**
 * IPv6 Neighbor Discovery over Ethernet (RFC 4861): solicitations parsed and validated,
 * advertisements built. Nothing here throws for any frame or value, only for null arguments.
 */
public final class Ndp {
    private static final int IPV6_HEADER = 40;
    private static final int ICMPV6 = 58;
    private static final int HOP_LIMIT = 255;
    private static final int TYPE_SOLICITATION = 135;
    private static final int TYPE_ADVERTISEMENT = 136;
    /** Type, code, checksum, reserved (or flags) and target. */
    private static final int MESSAGE_FIXED = 24;
    private static final int OPTION_SOURCE_LL = 1;
    private static final int OPTION_TARGET_LL = 2;
    private static final int FLAG_SOLICITED = 0x40;
    private static final int FLAG_OVERRIDE = 0x20;
    /** An advertisement with its target link-layer address option. */
    private static final int ADVERTISEMENT_LENGTH = MESSAGE_FIXED + 8;
    private static final long ALL_NODES_MAC = 0x3333_0000_0001L;
    private static final byte[] ALL_NODES = {(byte) 0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private Ndp() {
    }

    /**
     * Parses and validates a neighbour solicitation from the Ethernet frame between the buffer's
     * position and limit (which are not moved; its byte order does not matter), and classifies it.
     */
    public static Result<NeighborSolicitation> parse(ByteBuffer frame) {
        ByteBuffer f = Wire.view(frame);
        Ethernet eth = Ethernet.read(f, Ethernet.IPV6, Refusal.ETH_NOT_IPV6);
        return eth.refusal != null ? Result.refused(eth.refusal) : parse(f, eth);
    }

    static Result<NeighborSolicitation> parse(ByteBuffer f, Ethernet eth) {
        int ip = eth.payload;
        if (f.limit() - ip < IPV6_HEADER) {
            return Result.refused(Refusal.NS_TRUNCATED);
        }
        if (Wire.u8(f, ip) >>> 4 != 6) {
            return Result.refused(Refusal.NS_BAD_IP_VERSION);
        }
        int next = Wire.u8(f, ip + 6);
        if (next != ICMPV6) {
            return Result.refused(extensionHeader(next) ? Refusal.NS_EXTENSION_HEADERS : Refusal.NS_NOT_ICMPV6);
        }
        int length = Wire.u16(f, ip + 4);
        if (length > f.limit() - ip - IPV6_HEADER) {
            return Result.refused(Refusal.NS_TRUNCATED);
        }
        int icmp = ip + IPV6_HEADER;
        if (length > 0 && Wire.u8(f, icmp) != TYPE_SOLICITATION) {
            return Result.refused(Refusal.NS_NOT_SOLICITATION);
        }
        if (length < MESSAGE_FIXED) {
            return Result.refused(Refusal.NS_TOO_SHORT);
        }
        if (Wire.u8(f, ip + 7) != HOP_LIMIT) {
            return Result.refused(Refusal.NS_BAD_HOP_LIMIT);
        }
        if (checksumSum(f, ip, length) != 0xFFFF) {
            return Result.refused(Refusal.NS_BAD_CHECKSUM);
        }
        if (Wire.u8(f, icmp + 1) != 0) {
            return Result.refused(Refusal.NS_BAD_CODE);
        }
        byte[] source = Wire.bytes(f, ip + 8, 16);
        boolean dad = Wire.ipv6Unspecified(source);
        if (Wire.ipv6Multicast(source) || Wire.ipv6Loopback(source)) {
            return Result.refused(Refusal.NS_BAD_SOURCE);
        }
        byte[] target = Wire.bytes(f, icmp + 8, 16);
        if (Wire.ipv6Multicast(target)) {
            return Result.refused(Refusal.NS_MULTICAST_TARGET);
        }
        if (!Wire.ipv6Host(target)) {
            return Result.refused(Refusal.NS_BAD_TARGET);
        }

        // Options (§4.6): unknown ones are skipped; the source link-layer address is kept.
        long slla = -1;
        int end = icmp + length;
        for (int at = icmp + MESSAGE_FIXED; at < end;) {
            if (end - at < 2) {
                return Result.refused(Refusal.NS_OPTION_TRUNCATED);
            }
            int optionLength = Wire.u8(f, at + 1) * 8;
            if (optionLength == 0) {
                return Result.refused(Refusal.NS_ZERO_LENGTH_OPTION);
            }
            if (optionLength > end - at) {
                return Result.refused(Refusal.NS_OPTION_TRUNCATED);
            }
            if (Wire.u8(f, at) == OPTION_SOURCE_LL) {
                if (optionLength != 8) {
                    return Result.refused(Refusal.NS_BAD_SLLA_LENGTH);
                }
                if (slla != -1) {
                    return Result.refused(Refusal.NS_DUPLICATE_SLLA);
                }
                slla = MacAddress.read(f, at + 2);
                if (!Wire.stationMac(slla)) {
                    return Result.refused(Refusal.NS_BAD_SLLA);
                }
            }
            at += optionLength;
        }

        byte[] destination = Wire.bytes(f, ip + 24, 16);
        QueryKind kind;
        long requester;
        if (dad) {
            if (!Wire.solicitedNode(destination)) {
                return Result.refused(Refusal.NS_DAD_BAD_DESTINATION);
            }
            if (slla != -1) {
                return Result.refused(Refusal.NS_DAD_WITH_SLLA);
            }
            kind = QueryKind.DAD;
            requester = eth.source;
        } else if (Wire.ipv6Multicast(destination)) {
            if (slla == -1) {
                return Result.refused(Refusal.NS_MISSING_SLLA);
            }
            kind = QueryKind.RESOLUTION;
            requester = slla;
        } else {
            kind = QueryKind.REACHABILITY;
            requester = slla != -1 ? slla : eth.source;
        }
        return Result.of(new NeighborSolicitation(kind, eth.tci, requester, Wire.inet6(source), Wire.inet6(destination),
                Wire.inet6(target)));
    }

    /** The IPv6 extension headers (IANA registry, RFC 7045 §2). */
    private static boolean extensionHeader(int next) {
        switch (next) {
            case 0: // Hop-by-Hop Options
            case 43: // Routing
            case 44: // Fragment
            case 50: // ESP
            case 51: // Authentication Header
            case 60: // Destination Options
            case 135: // Mobility
            case 139: // HIP
            case 140: // Shim6
            case 253: // experimental
            case 254: // experimental
                return true;
            default:
                return false;
        }
    }

    /**
     * The advertisement a proxy sends to a solicitation (§4.4, §7.2.4): from the target address
     * and {@code answeredMac} to the solicitation's source and requester MAC, with the
     * solicitation's tag, hop limit 255, flags Router=0 Solicited=1 Override=1, and a target
     * link-layer address option. Refused ({@link Refusal#NOT_PROXIED}) for every kind but
     * {@link QueryKind#RESOLUTION}, and ({@link Refusal#ANSWER_IS_REQUESTER}) when the answer is
     * the requester's own MAC.
     */
    public static Result<byte[]> advertisement(NeighborSolicitation solicitation, long answeredMac) {
        String refusal = Wire.refusalToAnswer(Objects.requireNonNull(solicitation, "solicitation"), answeredMac);
        if (refusal != null) {
            return Result.refused(refusal);
        }
        byte[] target = solicitation.target().getAddress();
        return Result.of(build(solicitation.tci(), solicitation.requesterMac(), answeredMac, target, solicitation.source().getAddress(),
                FLAG_SOLICITED | FLAG_OVERRIDE, target));
    }

    /**
     * An unsolicited advertisement announcing that {@code address} is at {@code mac} (§7.2.6):
     * from {@code address} to all-nodes (ff02::1, Ethernet 33:33:00:00:00:01), flags Router=0
     * Solicited=0 Override=1, with a target link-layer address option, as Linux sends it.
     *
     * @param tci the 802.1Q tag control information to put on it, or {@link AddressQuery#UNTAGGED}
     */
    public static Result<byte[]> unsolicitedAdvertisement(Inet6Address address, long mac, int tci) {
        Objects.requireNonNull(address, "address");
        String refusal = Wire.refusalToAnnounce(tci, mac);
        if (refusal != null) {
            return Result.refused(refusal);
        }
        byte[] bytes = address.getAddress();
        if (!Wire.ipv6Host(bytes)) {
            return Result.refused(Refusal.BAD_ADDRESS);
        }
        return Result.of(build(tci, ALL_NODES_MAC, mac, bytes, ALL_NODES, FLAG_OVERRIDE, bytes));
    }

    private static byte[] build(int tci, long ethernetDestination, long mac, byte[] source, byte[] destination, int flags, byte[] target) {
        byte[] out = new byte[Ethernet.length(tci) + IPV6_HEADER + ADVERTISEMENT_LENGTH];
        int ip = Ethernet.write(out, ethernetDestination, mac, tci, Ethernet.IPV6);
        out[ip] = 0x60; // version 6, traffic class 0, flow label 0
        Wire.put16(out, ip + 4, ADVERTISEMENT_LENGTH);
        out[ip + 6] = (byte) ICMPV6;
        out[ip + 7] = (byte) HOP_LIMIT;
        System.arraycopy(source, 0, out, ip + 8, 16);
        System.arraycopy(destination, 0, out, ip + 24, 16);
        int icmp = ip + IPV6_HEADER;
        out[icmp] = (byte) TYPE_ADVERTISEMENT;
        out[icmp + 4] = (byte) flags;
        System.arraycopy(target, 0, out, icmp + 8, 16);
        out[icmp + 24] = OPTION_TARGET_LL;
        out[icmp + 25] = 1;
        MacAddress.write(out, icmp + 26, mac);
        Wire.put16(out, icmp + 2, ~checksumSum(ByteBuffer.wrap(out), ip, ADVERTISEMENT_LENGTH) & 0xFFFF);
        return out;
    }

    /**
     * The 16-bit one's complement sum (RFC 1071) of the pseudo-header (RFC 8200 §8.1: source,
     * destination, upper-layer length, next header 58) and the ICMPv6 message of {@code length}
     * octets after the IPv6 header at {@code ip}. A message with a correct checksum sums to 0xFFFF;
     * with the checksum field zero, the checksum is the complement of the sum.
     */
    private static int checksumSum(ByteBuffer f, int ip, int length) {
        long sum = length + ICMPV6;
        for (int i = ip + 8; i < ip + IPV6_HEADER; i += 2) {
            sum += Wire.u16(f, i);
        }
        int start = ip + IPV6_HEADER;
        int end = start + length;
        int i = start;
        for (; i + 1 < end; i += 2) {
            sum += Wire.u16(f, i);
        }
        if (i < end) {
            sum += Wire.u8(f, i) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
