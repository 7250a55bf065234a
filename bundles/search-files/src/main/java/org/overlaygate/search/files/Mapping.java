package org.overlaygate.search.files;

import org.overlaygate.api.search.DhcpHint;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;

/**
 * One good version of the mapping file: where each MAC lives, and which MAC answers for each
 * IPv4 (ARP) and IPv6 (NDP) address. Immutable, so lookups read it without a lock while the
 * watcher replaces it.
 */
final class Mapping {
    static final Mapping EMPTY = new Mapping(Map.of(), Map.of());

    private final Map<Long, UnderlayAddress> destinations;
    private final Map<InetAddress, Long> addresses;
    private final Map<Long, DhcpHint> dhcp;

    Mapping(Map<Long, UnderlayAddress> destinations, Map<InetAddress, Long> addresses) {
        this(destinations, addresses, Map.of());
    }

    Mapping(Map<Long, UnderlayAddress> destinations, Map<InetAddress, Long> addresses, Map<Long, DhcpHint> dhcp) {
        this.destinations = Collections.unmodifiableMap(new HashMap<>(destinations));
        this.addresses = Collections.unmodifiableMap(new HashMap<>(addresses));
        this.dhcp = Collections.unmodifiableMap(new HashMap<>(dhcp));
    }

    /** What the file says of a DHCP client ({@code dhcp}, {@code dhcp-proxy}); {@link DhcpHint#NONE} when nothing. */
    DhcpHint dhcpOf(long mac) {
        return dhcp.getOrDefault(mac, DhcpHint.NONE);
    }

    /** Where {@code mac} lives, or {@code null} when the file does not name it. */
    UnderlayAddress destination(long mac) {
        return destinations.get(mac);
    }

    /** The MAC that answers for an overlay IPv4 ({@code arp}) or IPv6 ({@code ndp}) address, or {@code null}. */
    Long macOf(InetAddress address) {
        return addresses.get(address);
    }

    Map<Long, UnderlayAddress> destinations() {
        return destinations;
    }

    Map<InetAddress, Long> addresses() {
        return addresses;
    }

    int size() {
        return destinations.size();
    }

    // ---------------------------------------------------------------- saved state

    /**
     * The destinations as one line ({@code 02:08:20:00:00:01=10.0.0.1:6081;...}), kept by varpd
     * across a replacement of this plugin, so that the next instance knows what the cache may hold.
     */
    String destinationsText() {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(destinations).forEach((mac, dest) -> parts.add(MacAddress.format(mac) + "=" + dest));
        return String.join(";", parts);
    }

    /** The destinations of {@link #destinationsText()}; what does not parse is left out. */
    static Mapping ofDestinationsText(String text) {
        Map<Long, UnderlayAddress> out = new HashMap<>();
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                try {
                    out.put(MacAddress.parse(part.substring(0, eq)), UnderlayAddress.parse(part.substring(eq + 1)));
                } catch (IllegalArgumentException e) {
                    // a damaged saved state only costs a precise invalidation
                }
            }
        }
        return new Mapping(out, Map.of());
    }
}
