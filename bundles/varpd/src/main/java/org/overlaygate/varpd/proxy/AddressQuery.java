package org.overlaygate.varpd.proxy;

import java.net.InetAddress;

/**
 * An address query seen on an overlay: an ARP request or an IPv6 neighbour solicitation, as
 * {@link ProxyFrames#parse(java.nio.ByteBuffer)} found it.
 */
public sealed interface AddressQuery permits ArpRequest, NeighborSolicitation {
    /** Marks an untagged frame in {@link #tci()}. */
    int UNTAGGED = -1;

    /** What it asks; only {@link QueryKind#RESOLUTION} is answered by proxy. */
    QueryKind kind();

    /**
     * The 802.1Q tag control information (priority, DEI and VLAN id, 16 bits) the query came
     * with, put unchanged on the reply; {@link #UNTAGGED} without a tag.
     */
    int tci();

    /** The MAC the reply goes to: the ARP sender hardware address, or the solicitation's source link-layer address. */
    long requesterMac();

    /** The address asked about. */
    InetAddress target();

    /** True when the query came with an 802.1Q tag. */
    default boolean tagged() {
        return tci() != UNTAGGED;
    }

    /** The VLAN id (12 bits) of the tag, or -1 when untagged. */
    default int vlanId() {
        return tagged() ? tci() & 0xFFF : -1;
    }
}
