package org.overlaygate.varpd.dhcp;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.overlaygate.api.MacAddress;

/**
 * One DHCP network of an overlay: the untagged one ({@code dhcp/KEY}) or a VLAN's
 * ({@code dhcp/VID/KEY}), as {@link DhcpConfig} parsed it. Addresses are IPv4 as {@code int}.
 * Immutable.
 */
final class Scope {
    /** A classless static route (option 121). */
    static final class Route {
        final int network;
        final int prefix;
        final int gateway;

        Route(int network, int prefix, int gateway) {
            this.network = network;
            this.prefix = prefix;
            this.gateway = gateway;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Route && ((Route) o).network == network && ((Route) o).prefix == prefix && ((Route) o).gateway == gateway;
        }

        @Override
        public int hashCode() {
            return Objects.hash(network, prefix, gateway);
        }

        @Override
        public String toString() {
            return DhcpConfig.format(network) + "/" + prefix + "=" + DhcpConfig.format(gateway);
        }
    }

    /** The VLAN, or {@link DhcpConfig#NO_VLAN}. */
    final int vlan;
    final int network;
    final int prefix;
    final int first;
    final int last;
    /** The configured gateway, or 0: the router attached to the overlay, if any, is announced then. */
    final int router;
    /** The server identifier (option 54) and the address the server answers ARP for. */
    final int server;
    final List<Integer> dns;
    final String domain;
    final long leaseSeconds;
    /** MAC to address. */
    final Map<Long, Integer> reservations;
    final List<Route> routes;

    Scope(int vlan, int network, int prefix, int first, int last, int router, int server, List<Integer> dns, String domain, long leaseSeconds,
            Map<Long, Integer> reservations, List<Route> routes) {
        this.vlan = vlan;
        this.network = network;
        this.prefix = prefix;
        this.first = first;
        this.last = last;
        this.router = router;
        this.server = server;
        this.dns = List.copyOf(dns);
        this.domain = domain;
        this.leaseSeconds = leaseSeconds;
        this.reservations = Map.copyOf(reservations);
        this.routes = List.copyOf(routes);
    }

    int netmask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    boolean contains(int address) {
        return (address & netmask()) == network;
    }

    /** Whether {@code address} may be given to a client at all: in the subnet, not its network or broadcast address, not the server's. */
    boolean assignable(int address) {
        int host = address & ~netmask();
        return contains(address) && host != 0 && host != ~netmask() && address != server;
    }

    boolean inRange(int address) {
        return Integer.compareUnsigned(address, first) >= 0 && Integer.compareUnsigned(address, last) <= 0;
    }

    /** The MAC an address is reserved for, or 0. */
    long reservedFor(int address) {
        for (Map.Entry<Long, Integer> e : reservations.entrySet()) {
            if (e.getValue() == address) {
                return e.getKey();
            }
        }
        return 0;
    }

    String name() {
        return vlan == DhcpConfig.NO_VLAN ? "untagged" : "VLAN " + vlan;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Scope)) {
            return false;
        }
        Scope s = (Scope) o;
        return vlan == s.vlan && network == s.network && prefix == s.prefix && first == s.first && last == s.last && router == s.router
                && server == s.server && dns.equals(s.dns) && Objects.equals(domain, s.domain) && leaseSeconds == s.leaseSeconds
                && reservations.equals(s.reservations) && routes.equals(s.routes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(vlan, network, prefix, first, last, server);
    }

    @Override
    public String toString() {
        return name() + " " + DhcpConfig.format(network) + "/" + prefix + " range " + DhcpConfig.format(first) + "-" + DhcpConfig.format(last)
                + " server " + DhcpConfig.format(server) + (router == 0 ? "" : " router " + DhcpConfig.format(router))
                + (reservations.isEmpty() ? "" : " reservations " + reservations.size() + " (" + reservations.keySet().stream()
                        .map(MacAddress::format).findFirst().orElse("") + "...)");
    }
}
