/**
 * NVGRE (RFC 7637) as an Overlay Gate encapsulation plugin: GRE (RFC 2784) with the key extension
 * (RFC 2890) over IP protocol 47.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |0| |1|0|   Reserved0     | Ver |   Protocol Type 0x6558        |
 * |               Virtual Subnet ID (VSID)        |    FlowID     |
 * </pre>
 *
 * Transmit writes the word 0x20006558 (K set; C, S and version 0; Transparent Ethernet Bridging),
 * then the 24-bit VSID and an 8-bit FlowID: a hash of the inner flow, so that ECMP spreads flows
 * (NVGRE has no ports to carry entropy), or a constant given as {@code nvgre/flowid}.
 * Receive accepts only that form: C, S or any reserved bit set, another version, K clear, another
 * protocol type, or a packet too short for the header and an Ethernet frame is refused with a
 * counted reason. Section 3.2 says the inner Ethernet header MUST NOT carry an 802.1Q tag, the
 * encapsulating end MUST remove one, and a decapsulating end MUST drop a frame that has one: the
 * core removes tags before encapsulating (this plugin says it does not carry them), and tagged
 * frames are dropped here on receipt.
 *
 * VSIDs 0-0xFFF and 0xFFFFFF are reserved (section 4), so overlays take 0x1000-0xFFFFFE. The
 * encapsulation adds 42 bytes to an inner IP packet on an IPv4 underlay (20 IP, 8 GRE with key,
 * 14 inner Ethernet), hence the default overlay MTU of 1458 on a 1500-byte underlay.
 */
package org.overlaygate.encap.nvgre;
