package org.overlaygate.varpd.proxy;

import java.net.Inet6Address;
import java.util.Objects;

import org.overlaygate.api.MacAddress;

/**
 * An IPv6 neighbour solicitation (RFC 4861 §4.3) that passed the validation of §7.1.1.
 *
 * @param kind what it asks
 * @param tci the 802.1Q tag control information, or {@link AddressQuery#UNTAGGED}
 * @param requesterMac the source link-layer address option; the Ethernet source where there is
 *     none (DAD, and unicast solicitations, which may omit it)
 * @param source the IPv6 source (:: for DAD)
 * @param destination the IPv6 destination (a solicited-node multicast address, or the target for NUD)
 * @param target the target address
 */
public record NeighborSolicitation(QueryKind kind, int tci, long requesterMac, Inet6Address source, Inet6Address destination,
        Inet6Address target) implements AddressQuery {

    /**
     * @throws NullPointerException for a null kind or address
     * @throws IllegalArgumentException for a tci outside -1..0xFFFF or a MAC wider than 48 bits
     */
    public NeighborSolicitation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(target, "target");
        Wire.requireComponents(tci, requesterMac);
    }

    @Override
    public String toString() {
        return "NeighborSolicitation[" + kind + (tagged() ? " tci=0x" + Integer.toHexString(tci) : "") + " who-has "
                + target.getHostAddress() + " from " + source.getHostAddress() + " " + MacAddress.format(requesterMac) + " to "
                + destination.getHostAddress() + "]";
    }
}
