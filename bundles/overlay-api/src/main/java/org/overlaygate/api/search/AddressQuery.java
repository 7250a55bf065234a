package org.overlaygate.api.search;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An ARP request (IPv4 target) or IPv6 neighbour solicitation seen on an overlay, asked of the
 * search plugin so it can be answered by proxy. Immutable.
 */
public final class AddressQuery {
    private final long vnetId;
    private final InetAddress target;
    private final int vlan;

    public AddressQuery(long vnetId, InetAddress target, int vlan) {
        this.vnetId = vnetId;
        this.target = Objects.requireNonNull(target);
        this.vlan = vlan;
    }

    public long vnetId() {
        return vnetId;
    }

    /** The address whose MAC is wanted. */
    public InetAddress target() {
        return target;
    }

    /** The 802.1Q VLAN id, or {@link LookupRequest#NO_VLAN}. */
    public int vlan() {
        return vlan;
    }

    @Override
    public String toString() {
        return "who-has " + target.getHostAddress() + " (vnet " + vnetId + ")";
    }
}
