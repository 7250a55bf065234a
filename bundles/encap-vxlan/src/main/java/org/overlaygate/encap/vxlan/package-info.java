/**
 * VXLAN (RFC 7348) as an Overlay Gate encapsulation plugin.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |R|R|R|R|I|R|R|R|            Reserved                           |
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * </pre>
 *
 * Transmit writes flags 0x08 and the 24-bit VNI, every reserved bit zero. Receive requires the I
 * flag and at least 8 bytes plus an Ethernet header, and ignores reserved bits, as section 5 says
 * ("MUST be set to zero on transmission and ignored on receipt"). Inner frames carrying an 802.1Q
 * tag are discarded and counted (section 6.1: "SHOULD be discarded"); on transmit the core removes
 * such tags, since this plugin does not carry them. The UDP source port, which
 * carries the flow entropy of section 5, is chosen by the core from the flow hash; this plugin
 * ignores the hash.
 */
package org.overlaygate.encap.vxlan;
