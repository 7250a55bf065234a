package org.overlaygate.varpd.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The entry point for varpd: one call to take a frame as an address query, one to answer it, one to
 * announce an address, whichever the family. {@link Arp} and {@link Ndp} hold the work.
 */
public final class ProxyFrames {
    private ProxyFrames() {
    }

    /**
     * Takes the Ethernet frame between the buffer's position and limit (which are not moved; its
     * byte order does not matter) as an ARP request or a neighbour solicitation, by its ethertype.
     */
    public static Result<AddressQuery> parse(ByteBuffer frame) {
        ByteBuffer f = Wire.view(frame);
        Ethernet eth = Ethernet.read(f);
        if (eth.refusal != null) {
            return Result.refused(eth.refusal);
        }
        if (eth.type == Ethernet.ARP) {
            return Result.widen(Arp.parse(f, eth));
        }
        if (eth.type == Ethernet.IPV6) {
            return Result.widen(Ndp.parse(f, eth));
        }
        return Result.refused(Refusal.ETH_NOT_ARP_OR_IPV6);
    }

    /** {@link #parse(ByteBuffer)} of a whole array. */
    public static Result<AddressQuery> parse(byte[] frame) {
        return parse(ByteBuffer.wrap(frame));
    }

    /** The answer to a query: {@link Arp#reply} or {@link Ndp#advertisement}. */
    public static Result<byte[]> reply(AddressQuery query, long answeredMac) {
        Objects.requireNonNull(query, "query");
        if (query instanceof ArpRequest request) {
            return Arp.reply(request, answeredMac);
        }
        return Ndp.advertisement((NeighborSolicitation) query, answeredMac);
    }

    /**
     * The announcement that {@code address} is now at {@code mac}: {@link Arp#announcement} for
     * IPv4, {@link Ndp#unsolicitedAdvertisement} for IPv6.
     *
     * @param tci the 802.1Q tag control information to put on it, or {@link AddressQuery#UNTAGGED}
     */
    public static Result<byte[]> announce(InetAddress address, long mac, int tci) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address v4) {
            return Arp.announcement(v4, mac, tci);
        }
        return Ndp.unsolicitedAdvertisement((Inet6Address) address, mac, tci);
    }
}
