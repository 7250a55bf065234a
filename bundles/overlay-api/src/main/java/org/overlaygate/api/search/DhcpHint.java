package org.overlaygate.api.search;

import java.net.Inet4Address;
import java.util.Objects;

import org.overlaygate.api.MacAddress;

/**
 * What a search plugin knows about one DHCP client ({@link SearchInstance#dhcpHint}): the IPv4
 * address reserved for its MAC (the files plugin's {@code dhcp} key), and the MAC of the DHCP
 * server its requests go to in illumos' DHCP proxy mode (the {@code dhcp-proxy} key: the request
 * is sent to that MAC as unicast instead of being flooded). Immutable.
 *
 * @since 2.3
 */
public final class DhcpHint {
    /** Nothing known: no reservation, no proxy. */
    public static final DhcpHint NONE = new DhcpHint(null, 0);

    private final Inet4Address reserved;
    private final long proxyMac;

    /**
     * @param reserved the client's reserved address, or null
     * @param proxyMac the unicast MAC of the DHCP server to proxy to, or 0 for none
     * @throws IllegalArgumentException when {@code proxyMac} is a group address
     */
    public DhcpHint(Inet4Address reserved, long proxyMac) {
        if (proxyMac != 0 && MacAddress.isGroup(proxyMac)) {
            throw new IllegalArgumentException("a DHCP proxy is a unicast MAC, not " + MacAddress.format(proxyMac));
        }
        this.reserved = reserved;
        this.proxyMac = proxyMac;
    }

    /** The reserved address, or null. */
    public Inet4Address reserved() {
        return reserved;
    }

    /** The DHCP server's MAC to proxy to, or 0. */
    public long proxyMac() {
        return proxyMac;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpHint && Objects.equals(reserved, ((DhcpHint) o).reserved) && proxyMac == ((DhcpHint) o).proxyMac;
    }

    @Override
    public int hashCode() {
        return Objects.hash(reserved, proxyMac);
    }

    @Override
    public String toString() {
        return "DhcpHint(" + (reserved == null ? "" : "reserved " + reserved.getHostAddress()) + (proxyMac == 0 ? "" : " proxy "
                + MacAddress.format(proxyMac)) + ")";
    }
}
