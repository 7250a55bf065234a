/**
 * Geneve (RFC 8926) as an Overlay Gate encapsulation plugin, over UDP port 6081.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 * |        Virtual Network Identifier (VNI)       |    Reserved   |
 * |                    Variable-Length Options                    |
 * option:
 * |          Option Class         |      Type     |R|R|R| Length  |
 * |                   Variable-Length Option Data                 |
 * </pre>
 *
 * <h2>Transmit</h2>
 * Version 0, O clear, protocol type 0x6558 (an Ethernet frame follows), the 24-bit VNI, every
 * reserved bit zero. No options by default; {@code geneve/options} (tc's {@code geneve_opts}
 * syntax) gives options an overlay sends in every header, at most 56 bytes so that the whole
 * header fits the 64 bytes the data path keeps in front of every frame; C is set when one of them
 * is critical. The header length is therefore per overlay ({@link
 * org.overlaygate.api.encap.Encapsulator#headerLength()}), at most 64 ({@link
 * org.overlaygate.api.encap.EncapsulationPlugin#headerLength()}). The UDP source port carries the
 * flow entropy (section 3.3): the core picks it from a hash of the inner flow, as for VXLAN; the
 * core's UDP sockets send a zero checksum over IPv4, as for every UDP encapsulation (receivers,
 * the kernel's geneve device included, accept it).
 *
 * <h2>Receive</h2>
 * Any header length is accepted: the decapsulator moves the buffer past the options, so 0 to 252
 * bytes of options give the same inner frame. Refused, each counted by its own reason: fewer than
 * 8 bytes ({@code geneve_short}); a version other than 0 ({@code geneve_bad_version}); an Opt Len
 * that runs past the packet ({@code geneve_options_past_packet}); a protocol type other than
 * 0x6558 ({@code geneve_bad_protocol}); the O bit, a control message that no VNIC may see
 * ({@code geneve_oam}); the C bit, or an option whose type has the critical bit, since no option
 * is understood here (section 3.5: such a packet MUST be dropped) ({@code geneve_critical_option});
 * an option whose own length runs past the option area ({@code geneve_bad_option_length}).
 * Non-critical options are skipped. Reserved bits are ignored on receipt. Inner 802.1Q tags cross
 * in both directions: RFC 8926, unlike VXLAN and NVGRE, does not exclude them.
 *
 * <h2>MTU</h2>
 * Geneve adds 50 bytes to an inner IP packet on an IPv4 underlay (20 IP, 8 UDP, 8 Geneve, 14
 * inner Ethernet), hence the default overlay MTU of 1450 on a 1500-byte underlay; an overlay that
 * sends options must lower its MTU by their length (1442 for 8 bytes), since the outer packet is
 * never fragmented.
 */
package org.overlaygate.encap.geneve;
