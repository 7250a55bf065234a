package org.overlaygate.api.search;

import org.overlaygate.api.MacAddress;

/**
 * One target-cache miss: the frame that caused it, reduced to what a search plugin may use.
 * Immutable.
 */
public final class LookupRequest {
    /** {@link #vlan()} value of an untagged frame. */
    public static final int NO_VLAN = -1;

    private final long vnetId;
    private final long sourceMac;
    private final long destinationMac;
    private final int ethertype;
    private final int vlan;

    public LookupRequest(long vnetId, long sourceMac, long destinationMac, int ethertype, int vlan) {
        this.vnetId = vnetId;
        this.sourceMac = sourceMac;
        this.destinationMac = destinationMac;
        this.ethertype = ethertype;
        this.vlan = vlan;
    }

    public long vnetId() {
        return vnetId;
    }

    public long sourceMac() {
        return sourceMac;
    }

    public long destinationMac() {
        return destinationMac;
    }

    /** The inner ethertype (after any 802.1Q tag). */
    public int ethertype() {
        return ethertype;
    }

    /** The 802.1Q VLAN id, or {@link #NO_VLAN}. */
    public int vlan() {
        return vlan;
    }

    /** True when the destination is a broadcast or multicast address. */
    public boolean isGroup() {
        return MacAddress.isGroup(destinationMac);
    }

    @Override
    public String toString() {
        return "lookup(vnet " + vnetId + ", " + MacAddress.format(sourceMac) + " -> " + MacAddress.format(destinationMac)
                + ", type 0x" + Integer.toHexString(ethertype) + (vlan == NO_VLAN ? "" : ", vlan " + vlan) + ")";
    }
}
