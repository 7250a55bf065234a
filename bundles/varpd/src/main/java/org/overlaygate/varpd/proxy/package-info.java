/**
 * The frames of varpd's ARP and neighbour discovery proxy: ARP requests and IPv6 neighbour
 * solicitations parsed, validated and classified; ARP replies and solicited neighbour
 * advertisements built to answer them; gratuitous ARP and unsolicited advertisements built to
 * announce a moved address. Private to the bundle (not exported).
 *
 * <pre>
 * Result&lt;AddressQuery&gt; parsed = ProxyFrames.parse(frame);
 * if (!parsed.ok())                          count(parsed.refusal()), forward as usual
 * else if (!parsed.value().kind().proxied()) forward as usual: the owner answers, or nobody
 * else                                       ProxyFrames.reply(parsed.value(), macOf(parsed.value().target()))
 * ProxyFrames.announce(address, newMac, tci)  when a mapping moves
 * </pre>
 *
 * <h2>Input, output, failure</h2>
 * <p>An Ethernet frame without FCS, between a {@code ByteBuffer}'s position and limit (neither is
 * moved; byte order, direct or heap, read-only or not, make no difference) or a whole
 * {@code byte[]}. At most one 802.1Q tag (TPID 0x8100): its whole tag control information
 * (priority, DEI, VLAN id) is kept in the query and put unchanged on the reply. Service tags
 * (0x88a8), stacked tags and 0x9100 are refused ({@code eth_vlan_unsupported}); so is a group
 * source MAC. Octets after the ARP packet or after the IPv6 payload (Ethernet padding) are
 * ignored. MACs are the low 48 bits of a {@code long} ({@link org.overlaygate.api.MacAddress}),
 * addresses {@code Inet4Address} and {@code Inet6Address}.
 *
 * <p>No method throws for any bytes or values: each returns a {@link Result}, a value or one of
 * the constant snake_case reasons of {@link Refusal}, fit to name a drop counter. Only a null
 * argument throws, and the query records' constructors refuse a tci or MAC out of range. Building
 * allocates the frame; none of this is on the data path. Built frames are not padded to the
 * 60-octet Ethernet minimum, as Linux does not pad the 42-octet ARP frames it hands to a device:
 * padding is for the transmitting NIC.
 *
 * <h2>ARP requests (RFC 826)</h2>
 * <p>Accepted: hardware type 1, protocol type 0x0800, lengths 6 and 4, operation 1, 28 octets.
 * Refused: a short packet ({@code arp_truncated}), each of those fields otherwise
 * ({@code arp_bad_htype}, {@code arp_bad_ptype}, {@code arp_bad_hlen}, {@code arp_bad_plen},
 * {@code arp_not_request}: replies are not questions, also the gratuitous ARP in reply form that
 * {@code arping -A} sends), a zero or group sender MAC ({@code arp_bad_sender_mac}), a multicast,
 * limited broadcast or loopback sender IP ({@code arp_bad_sender_ip}), and a target IP that is
 * nobody's: 0.0.0.0, multicast, broadcast, loopback ({@code arp_bad_target_ip}). The target
 * hardware address is ignored, as RFC 826 says (Linux sends zeros, arping all-ones); the Ethernet
 * source and the sender hardware address are not compared (RFC 826 does not), and the reply goes
 * to the sender hardware address. Classified, in this order: {@link QueryKind#PROBE} (sender IP
 * 0.0.0.0, RFC 5227 §2.1.1), {@link QueryKind#ANNOUNCEMENT} (sender IP = target IP: gratuitous
 * ARP, RFC 5227 §2.3), {@link QueryKind#REACHABILITY} (unicast Ethernet destination: the unicast
 * poll of RFC 1122 §2.3.2.1, which Linux sends for a stale entry), {@link QueryKind#RESOLUTION}.
 *
 * <h2>Neighbour solicitations (RFC 4861 §4.3, validated as §7.1.1 says)</h2>
 * <p>Checked in this order: a whole IPv6 header ({@code ns_truncated}); version 6
 * ({@code ns_bad_ip_version}); ICMPv6 (58) directly as next header: an extension header in front
 * is refused ({@code ns_extension_headers}; neighbour discovery is never sent with one, RFC 6980
 * forbids fragmented ND, and headers in front of ND are how RA-Guard-like filters are evaded,
 * RFC 7113), any other protocol too ({@code ns_not_icmpv6}); the payload length within the frame
 * ({@code ns_truncated}); ICMPv6 type 135 ({@code ns_not_solicitation}); ICMPv6 length at least
 * 24 ({@code ns_too_short}); hop limit 255, so it was not forwarded from off the link
 * ({@code ns_bad_hop_limit}); the checksum over the pseudo-header of RFC 8200 §8.1
 * ({@code ns_bad_checksum}); code 0 ({@code ns_bad_code}); a source that is not multicast or
 * loopback ({@code ns_bad_source}, RFC 4291 §2.5.3, §2.7); a target that is not multicast
 * ({@code ns_multicast_target}), unspecified or loopback ({@code ns_bad_target}). Options: none of
 * length 0 ({@code ns_zero_length_option}), none past the end ({@code ns_option_truncated});
 * unknown ones are skipped (§4.6; Linux puts the nonce of RFC 7527 in its DAD solicitations); the
 * source link-layer address option must be 8 octets (RFC 2464 §8; {@code ns_bad_slla_length}),
 * appear once ({@code ns_duplicate_slla}) and hold a station MAC ({@code ns_bad_slla}). The
 * reserved field is ignored (§4.3). Then by source and destination:
 * <ul>
 * <li>source :: &mdash; {@link QueryKind#DAD}: the destination must be a solicited-node multicast
 * address ({@code ns_dad_bad_destination}) and there must be no source link-layer address
 * ({@code ns_dad_with_slla}), both §7.1.1. The requester MAC is the Ethernet source.</li>
 * <li>multicast destination &mdash; {@link QueryKind#RESOLUTION}: the source link-layer address
 * option MUST be there (§4.3; {@code ns_missing_slla}) and is the requester MAC.</li>
 * <li>unicast destination &mdash; {@link QueryKind#REACHABILITY} (NUD, §7.3.1): the option SHOULD
 * be there (§4.3), and where it is not, the requester MAC is the Ethernet source.</li>
 * </ul>
 *
 * <h2>What is answered by proxy, and why nothing else is</h2>
 * <p>Only {@link QueryKind#RESOLUTION}: "who has this address?" asked of everyone.
 * <ul>
 * <li><b>Gratuitous ARP</b> ({@code ANNOUNCEMENT}) is a station telling its own mapping; there is no
 * question to answer, and an answer naming another MAC would contradict the station.</li>
 * <li><b>Probes (RFC 5227) and DAD (RFC 4862 §5.4) are not answered</b>, though a proxy that knows
 * the address belongs to another MAC could answer them. The owner answers a probe itself (it is an
 * ordinary request for its address, and a reply is the conflict signal of RFC 5227 §2.1.1) and
 * defends its address against DAD with an advertisement to all-nodes (RFC 4861 §7.2.4; the kernel
 * does exactly that in {@code na_dad_defence} of the test fixtures). So when the mapping is right,
 * forwarding the probe to the owner detects the conflict as well as a proxy answer would. When it
 * is stale (the address has moved to the very station probing for it, or a DHCP server gave it
 * out again, and the mapping service has not caught up), a proxy answer makes a station give up an
 * address that is rightfully its own: a DHCP client that probes its lease declines it and asks
 * again (RFC 2131 §4.4.1), round after round, and a node whose link-local address fails DAD may
 * disable IPv6 on the interface (RFC 4862 §5.4.5). Duplicate detection exists to check the very
 * thing a proxy's mapping may have wrong; it is left to the stations. varpd must therefore
 * forward probes and DAD solicitations as it forwards other broadcast and multicast. (The Linux
 * bridge's neigh_suppress does answer DAD; EVPN's proxy, RFC 9161, detects duplicates in the
 * control plane instead. With no such detection here, leaving it to the owner is the safe
 * choice.)</li>
 * <li><b>Reachability checks</b> (unicast ARP polls, NUD solicitations) ask whether the owner is
 * alive; a solicited advertisement confirms reachability (RFC 4861 §7.3.1), so only the owner can
 * answer truthfully, and being unicast they reach it by ordinary forwarding. The Linux bridge does
 * not answer them either.</li>
 * <li><b>The requester's own MAC</b> is never the answer ({@code answer_is_requester}): a station
 * asking for an address mapped to itself is checking for a conflict, and a reply, even with its own
 * MAC, makes some devices refuse their DHCP lease in a loop; Linux's bridge proxy ARP did that
 * until "net: bridge: do not send arp replies if src and target hw addr is the same" (OpenWrt
 * issue 14309).</li>
 * </ul>
 *
 * <h2>Replies</h2>
 * <p><b>ARP reply</b> (RFC 826): Ethernet destination the requester MAC, source the answered MAC,
 * the request's tag; operation 2; sender (answered MAC, target IP), target (requester MAC,
 * requester IP). Byte for byte what Linux sends for its own address.
 *
 * <p><b>Neighbour advertisement</b> (§4.4, §7.2.4): Ethernet destination the requester MAC,
 * source the answered MAC, the solicitation's tag; IPv6 source the target address (the answer
 * speaks for the owner, whose address it is), destination the solicitation's source (never
 * all-nodes: DAD, the one case of §7.2.4 that would need it, is not answered), traffic class and
 * flow label 0, hop limit 255; flags Router=0, Solicited=1, Override=1; a target link-layer
 * address option with the answered MAC; the checksum over the pseudo-header. Byte for byte what
 * Linux sends for a multicast solicitation of its own address.
 *
 * <p><b>Override = 1, and why §7.2.8 does not apply.</b> RFC 4861 §7.2.8 says "All solicited proxy
 * Neighbor Advertisement messages MUST have the Override flag set to zero", so that if the node
 * itself is on the link its own advertisement (O=1) takes precedence. That proxy advertises
 * <em>its own</em> link-layer address, accepting packets on another node's behalf, and must yield
 * to the real node. Here the advertised address is the owner's own MAC as the mapping service
 * knows it: the advertisement is the one the owner would send (§7.2.4: O=1 unless the target is
 * anycast or proxied; the kernel's {@code na_solicited} has O=1), and there is nothing for the
 * owner to take precedence over. O=0 would do harm: an O=0 advertisement whose link-layer address
 * differs from a cached entry does not update it (§7.2.5), so after a VM moves to a new MAC its
 * neighbours keep sending to the old one until NUD fails, whereas O=1 corrects them at once. The
 * Linux bridge's neigh_suppress sets O=1 for the same reason, and EVPN proxies (RFC 9161) answer
 * with the flag learned for the entry (RFC 9047), 1 for an ordinary unicast address. The risk,
 * a stale mapping overriding a correct entry, is that of any wrong answer.
 *
 * <p><b>Router = 0</b>, since a mapping does not say whether the owner is a router. An advertisement
 * with R=0 for a neighbour that a host knows as a router makes the host drop it from its default
 * router list (§7.2.5), so varpd should not answer for the addresses of routers (an overlay's
 * gateways) until mappings carry that bit, as EVPN's do (RFC 9047).
 *
 * <h2>Announcements</h2>
 * <p><b>Gratuitous ARP</b> (the ARP Announcement of RFC 5227 §2.3): Ethernet broadcast, operation 1,
 * sender and target IP both the address, target hardware address zero, as Linux sends it
 * ({@code arp_notify}). <b>Unsolicited neighbour advertisement</b> (§7.2.6): IPv6 source the
 * address, destination all-nodes ff02::1 (Ethernet 33:33:00:00:00:01), Router=0, Solicited=0,
 * Override=1, with the target link-layer address option, as Linux sends it ({@code ndisc_notify},
 * and in defence against DAD). Repeating them (RFC 5227 §2.3: two, 2 seconds apart; §7.2.6: up to
 * MAX_NEIGHBOR_ADVERTISEMENT, 3) is the caller's business.
 */
package org.overlaygate.varpd.proxy;
