package org.overlaygate.api.datapath;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An underlay multicast group a device has joined: the group, the interface it was joined on
 * ({@code null}: the one the routing table picks) and the TTL (hop limit) of packets sent to
 * groups. Immutable.
 *
 * @since 2.2
 */
public final class MulticastGroup {
    private final InetAddress address;
    private final String interfaceName;
    private final int ttl;

    private MulticastGroup(InetAddress address, String interfaceName, int ttl) {
        this.address = Objects.requireNonNull(address);
        this.interfaceName = interfaceName;
        this.ttl = ttl;
    }

    /**
     * @throws IllegalArgumentException when {@code address} is not a multicast address or the TTL
     *     is outside 0-255
     */
    public static MulticastGroup of(InetAddress address, String interfaceName, int ttl) {
        if (!address.isMulticastAddress()) {
            throw new IllegalArgumentException(address.getHostAddress() + " is not a multicast address");
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("TTL " + ttl + " is outside 0-255");
        }
        return new MulticastGroup(address, interfaceName, ttl);
    }

    public InetAddress address() {
        return address;
    }

    /** The interface the group is joined on, or {@code null} for the one the routing table picks. */
    public String interfaceName() {
        return interfaceName;
    }

    public int ttl() {
        return ttl;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MulticastGroup)) {
            return false;
        }
        MulticastGroup g = (MulticastGroup) o;
        return address.equals(g.address) && Objects.equals(interfaceName, g.interfaceName) && ttl == g.ttl;
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, interfaceName, ttl);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + (interfaceName == null ? "" : " on " + interfaceName);
    }
}
