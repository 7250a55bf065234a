package org.overlaygate.varpd.proxy;

/**
 * Why a frame was not taken as an address query, or why no frame was built: constant snake_case
 * strings, fit to name a drop counter. The package overview says which RFC rule each one enforces.
 */
public final class Refusal {
    // Ethernet
    /** Shorter than an Ethernet header (14 octets, 18 with an 802.1Q tag). */
    public static final String ETH_TRUNCATED = "eth_truncated";
    /** An 802.1ad service tag, a second tag, or another tag protocol: only one 802.1Q tag is understood. */
    public static final String ETH_VLAN_UNSUPPORTED = "eth_vlan_unsupported";
    /** The Ethernet source is a group (multicast or broadcast) address, which no station sends from. */
    public static final String ETH_SRC_GROUP = "eth_src_group";
    /** Not ARP (ethertype 0x0806) where ARP was asked for. */
    public static final String ETH_NOT_ARP = "eth_not_arp";
    /** Not IPv6 (ethertype 0x86dd) where a neighbour solicitation was asked for. */
    public static final String ETH_NOT_IPV6 = "eth_not_ipv6";
    /** Neither ARP nor IPv6. */
    public static final String ETH_NOT_ARP_OR_IPV6 = "eth_not_arp_or_ipv6";

    // ARP (RFC 826, RFC 5227)
    /** Shorter than the 28 octets of an Ethernet/IPv4 ARP packet. */
    public static final String ARP_TRUNCATED = "arp_truncated";
    /** Hardware type not 1 (Ethernet). */
    public static final String ARP_BAD_HTYPE = "arp_bad_htype";
    /** Protocol type not 0x0800 (IPv4). */
    public static final String ARP_BAD_PTYPE = "arp_bad_ptype";
    /** Hardware address length not 6. */
    public static final String ARP_BAD_HLEN = "arp_bad_hlen";
    /** Protocol address length not 4. */
    public static final String ARP_BAD_PLEN = "arp_bad_plen";
    /** Operation not 1 (request): replies, gratuitous replies, RARP and InARP are not queries. */
    public static final String ARP_NOT_REQUEST = "arp_not_request";
    /** Sender hardware address zero or a group address. */
    public static final String ARP_BAD_SENDER_MAC = "arp_bad_sender_mac";
    /** Sender IP multicast, limited broadcast or loopback (0.0.0.0 is a probe, not refused). */
    public static final String ARP_BAD_SENDER_IP = "arp_bad_sender_ip";
    /** Target IP 0.0.0.0, multicast, limited broadcast or loopback: nobody's address. */
    public static final String ARP_BAD_TARGET_IP = "arp_bad_target_ip";

    // Neighbour solicitation (RFC 4861 §4.3, §7.1.1)
    /** Shorter than an IPv6 header, or than the IPv6 payload length says. */
    public static final String NS_TRUNCATED = "ns_truncated";
    /** IP version not 6. */
    public static final String NS_BAD_IP_VERSION = "ns_bad_ip_version";
    /** An extension header before ICMPv6: neighbour discovery never carries one. */
    public static final String NS_EXTENSION_HEADERS = "ns_extension_headers";
    /** The next header is neither ICMPv6 nor an extension header. */
    public static final String NS_NOT_ICMPV6 = "ns_not_icmpv6";
    /** ICMPv6, but not type 135. */
    public static final String NS_NOT_SOLICITATION = "ns_not_solicitation";
    /** ICMPv6 length under 24 octets (§7.1.1). */
    public static final String NS_TOO_SHORT = "ns_too_short";
    /** Hop limit not 255, so it may come from off the link (§7.1.1). */
    public static final String NS_BAD_HOP_LIMIT = "ns_bad_hop_limit";
    /** ICMPv6 checksum wrong (§7.1.1). */
    public static final String NS_BAD_CHECKSUM = "ns_bad_checksum";
    /** ICMPv6 code not 0 (§7.1.1). */
    public static final String NS_BAD_CODE = "ns_bad_code";
    /** IPv6 source multicast or loopback (RFC 4291 §2.5.3, §2.7). */
    public static final String NS_BAD_SOURCE = "ns_bad_source";
    /** Target address multicast (§7.1.1). */
    public static final String NS_MULTICAST_TARGET = "ns_multicast_target";
    /** Target address unspecified or loopback: nobody's address. */
    public static final String NS_BAD_TARGET = "ns_bad_target";
    /** An option of length 0 (§7.1.1). */
    public static final String NS_ZERO_LENGTH_OPTION = "ns_zero_length_option";
    /** An option runs past the end of the message. */
    public static final String NS_OPTION_TRUNCATED = "ns_option_truncated";
    /** A source link-layer address option whose length is not 1 (8 octets, RFC 2464 §8). */
    public static final String NS_BAD_SLLA_LENGTH = "ns_bad_slla_length";
    /** Two source link-layer address options: which one to answer is ambiguous. */
    public static final String NS_DUPLICATE_SLLA = "ns_duplicate_slla";
    /** The source link-layer address is zero or a group address. */
    public static final String NS_BAD_SLLA = "ns_bad_slla";
    /** A multicast solicitation from a specified source without the source link-layer address option (§4.3: MUST). */
    public static final String NS_MISSING_SLLA = "ns_missing_slla";
    /** Source unspecified (DAD) but the destination is not a solicited-node multicast address (§7.1.1). */
    public static final String NS_DAD_BAD_DESTINATION = "ns_dad_bad_destination";
    /** Source unspecified (DAD) with a source link-layer address option (§7.1.1). */
    public static final String NS_DAD_WITH_SLLA = "ns_dad_with_slla";

    // Building
    /** The query is of a kind that is never answered by proxy ({@link QueryKind#proxied()}). */
    public static final String NOT_PROXIED = "not_proxied";
    /** The answer would be the requester's own MAC: a station asking for its own address is checking for a conflict. */
    public static final String ANSWER_IS_REQUESTER = "answer_is_requester";
    /** The MAC to answer or announce is zero, a group address, or wider than 48 bits. */
    public static final String BAD_MAC = "bad_mac";
    /** The address to announce is not a unicast address of a host (unspecified, multicast, broadcast, loopback). */
    public static final String BAD_ADDRESS = "bad_address";
    /** The 802.1Q tag control information is neither -1 (untagged) nor within 0..0xFFFF. */
    public static final String BAD_TCI = "bad_tci";

    private Refusal() {
    }
}
