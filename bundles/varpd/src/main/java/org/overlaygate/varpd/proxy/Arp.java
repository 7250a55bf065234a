package org.overlaygate.varpd.proxy;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Objects;

import org.overlaygate.api.MacAddress;

/**
 * ARP for IPv4 over Ethernet (RFC 826): requests parsed, replies and announcements built. Nothing
 * here throws for any frame or value, only for null arguments.
 */
public final class Arp {
    /** Length of an Ethernet/IPv4 ARP packet. */
    static final int LENGTH = 28;
    private static final int HTYPE_ETHERNET = 1;
    private static final int PTYPE_IPV4 = 0x0800;
    private static final int OP_REQUEST = 1;
    private static final int OP_REPLY = 2;

    private Arp() {
    }

    /**
     * Parses an ARP request from the Ethernet frame between the buffer's position and limit (which
     * are not moved; its byte order does not matter), and classifies it.
     */
    public static Result<ArpRequest> parse(ByteBuffer frame) {
        ByteBuffer f = Wire.view(frame);
        Ethernet eth = Ethernet.read(f, Ethernet.ARP, Refusal.ETH_NOT_ARP);
        return eth.refusal != null ? Result.refused(eth.refusal) : parse(f, eth);
    }

    static Result<ArpRequest> parse(ByteBuffer f, Ethernet eth) {
        int o = eth.payload;
        if (f.limit() - o < LENGTH) {
            return Result.refused(Refusal.ARP_TRUNCATED);
        }
        if (Wire.u16(f, o) != HTYPE_ETHERNET) {
            return Result.refused(Refusal.ARP_BAD_HTYPE);
        }
        if (Wire.u16(f, o + 2) != PTYPE_IPV4) {
            return Result.refused(Refusal.ARP_BAD_PTYPE);
        }
        if (Wire.u8(f, o + 4) != 6) {
            return Result.refused(Refusal.ARP_BAD_HLEN);
        }
        if (Wire.u8(f, o + 5) != 4) {
            return Result.refused(Refusal.ARP_BAD_PLEN);
        }
        if (Wire.u16(f, o + 6) != OP_REQUEST) {
            return Result.refused(Refusal.ARP_NOT_REQUEST);
        }
        long senderMac = MacAddress.read(f, o + 8);
        if (!Wire.stationMac(senderMac)) {
            return Result.refused(Refusal.ARP_BAD_SENDER_MAC);
        }
        int senderIp = f.getInt(o + 14);
        if (!Wire.ipv4Sender(senderIp)) {
            return Result.refused(Refusal.ARP_BAD_SENDER_IP);
        }
        int targetIp = f.getInt(o + 24);
        if (!Wire.ipv4Host(targetIp)) {
            return Result.refused(Refusal.ARP_BAD_TARGET_IP);
        }
        QueryKind kind;
        if (senderIp == 0) {
            kind = QueryKind.PROBE;
        } else if (senderIp == targetIp) {
            kind = QueryKind.ANNOUNCEMENT;
        } else if (!MacAddress.isGroup(eth.destination)) {
            kind = QueryKind.REACHABILITY;
        } else {
            kind = QueryKind.RESOLUTION;
        }
        return Result.of(new ArpRequest(kind, eth.tci, senderMac, Wire.inet4(Wire.bytes(f, o + 14, 4)),
                Wire.inet4(Wire.bytes(f, o + 24, 4))));
    }

    /**
     * The reply a proxy sends to a request: from {@code answeredMac} to the requester, with the
     * request's tag; sender = (answeredMac, target IP), target = (requester MAC, requester IP).
     * Refused ({@link Refusal#NOT_PROXIED}) for every kind but {@link QueryKind#RESOLUTION}, and
     * ({@link Refusal#ANSWER_IS_REQUESTER}) when the answer is the requester's own MAC.
     */
    public static Result<byte[]> reply(ArpRequest request, long answeredMac) {
        String refusal = Wire.refusalToAnswer(Objects.requireNonNull(request, "request"), answeredMac);
        if (refusal != null) {
            return Result.refused(refusal);
        }
        return Result.of(build(request.tci(), request.requesterMac(), OP_REPLY, answeredMac, request.target(), request.requesterMac(),
                request.senderIp()));
    }

    /**
     * A gratuitous ARP announcing that {@code address} is at {@code mac} (RFC 5227 §2.3): a
     * broadcast request with sender and target IP both {@code address} and a zero target hardware
     * address, as Linux sends it.
     *
     * @param tci the 802.1Q tag control information to put on it, or {@link AddressQuery#UNTAGGED}
     */
    public static Result<byte[]> announcement(Inet4Address address, long mac, int tci) {
        Objects.requireNonNull(address, "address");
        String refusal = Wire.refusalToAnnounce(tci, mac);
        if (refusal != null) {
            return Result.refused(refusal);
        }
        if (!Wire.ipv4Host(Wire.ipv4(address.getAddress()))) {
            return Result.refused(Refusal.BAD_ADDRESS);
        }
        return Result.of(build(tci, MacAddress.BROADCAST, OP_REQUEST, mac, address, 0, address));
    }

    private static byte[] build(int tci, long ethernetDestination, int op, long senderMac, Inet4Address senderIp, long targetMac,
            Inet4Address targetIp) {
        byte[] out = new byte[Ethernet.length(tci) + LENGTH];
        int o = Ethernet.write(out, ethernetDestination, senderMac, tci, Ethernet.ARP);
        Wire.put16(out, o, HTYPE_ETHERNET);
        Wire.put16(out, o + 2, PTYPE_IPV4);
        out[o + 4] = 6;
        out[o + 5] = 4;
        Wire.put16(out, o + 6, op);
        MacAddress.write(out, o + 8, senderMac);
        System.arraycopy(senderIp.getAddress(), 0, out, o + 14, 4);
        MacAddress.write(out, o + 18, targetMac);
        System.arraycopy(targetIp.getAddress(), 0, out, o + 24, 4);
        return out;
    }
}
