package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.core.base.BufferLayout;

/**
 * Cheap classification of frames the switch treats specially, by the few header bytes that decide
 * it. It only selects; varpd validates a selected frame fully before answering it.
 */
final class FrameKinds {
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ARP_REQUEST = 1;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int NEIGHBOR_SOLICITATION = 135;

    private FrameKinds() {
    }

    /**
     * True for an ARP request that asks for another address than its sender's, and for an IPv6
     * neighbour solicitation whose ICMPv6 header directly follows the IPv6 header. Not for what only
     * the owner of an address may answer, which is forwarded like any broadcast: gratuitous ARP (it
     * announces the sender's own address), an ARP probe (sender 0.0.0.0, RFC 5227 section 2.1.1) and
     * duplicate address detection (source ::, RFC 4862 section 5.4).
     */
    static boolean isAddressRequest(ByteBuffer buf, int offset, int length) {
        int l3 = offset + BufferLayout.ETHERNET_HEADER;
        int ethertype = buf.getShort(offset + 12) & 0xFFFF;
        if (ethertype == BufferLayout.ETHERTYPE_VLAN && length >= BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG) {
            ethertype = buf.getShort(offset + 16) & 0xFFFF;
            l3 += BufferLayout.VLAN_TAG;
        }
        int end = offset + length;
        if (ethertype == ETHERTYPE_ARP) {
            // op at 6, sender protocol address at 14, target protocol address at 24 (IPv4 over Ethernet)
            if (l3 + 28 > end || (buf.getShort(l3 + 6) & 0xFFFF) != ARP_REQUEST) {
                return false;
            }
            int sender = buf.getInt(l3 + 14);
            return sender != 0 && sender != buf.getInt(l3 + 24);
        }
        if (ethertype == ETHERTYPE_IPV6) {
            // next header at 6; the ICMPv6 type is the first byte after the 40-byte header
            return l3 + 41 <= end && (buf.get(l3 + 6) & 0xFF) == IPPROTO_ICMPV6 && (buf.get(l3 + 40) & 0xFF) == NEIGHBOR_SOLICITATION
                    && (buf.getLong(l3 + 8) != 0 || buf.getLong(l3 + 16) != 0); // source :: is DAD
        }
        return false;
    }
}
