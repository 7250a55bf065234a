package org.overlaygate.varpd.proxy;

import java.net.Inet4Address;
import java.util.Objects;

import org.overlaygate.api.MacAddress;

/**
 * An ARP request (RFC 826, operation 1, Ethernet/IPv4).
 *
 * @param kind what it asks
 * @param tci the 802.1Q tag control information, or {@link AddressQuery#UNTAGGED}
 * @param requesterMac the sender hardware address
 * @param senderIp the sender protocol address (0.0.0.0 in a probe)
 * @param target the target protocol address
 */
public record ArpRequest(QueryKind kind, int tci, long requesterMac, Inet4Address senderIp, Inet4Address target)
        implements AddressQuery {

    /**
     * @throws NullPointerException for a null kind or address
     * @throws IllegalArgumentException for a tci outside -1..0xFFFF or a MAC wider than 48 bits
     */
    public ArpRequest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(senderIp, "senderIp");
        Objects.requireNonNull(target, "target");
        Wire.requireComponents(tci, requesterMac);
    }

    @Override
    public String toString() {
        return "ArpRequest[" + kind + (tagged() ? " tci=0x" + Integer.toHexString(tci) : "") + " who-has "
                + target.getHostAddress() + " tell " + senderIp.getHostAddress() + " " + MacAddress.format(requesterMac) + "]";
    }
}
