/**
 * Underlay muxes: the sockets on the IP underlay, each shared by every device with the same
 * (encapsulation, listen address, port) and demultiplexed by vnet id, as illumos' overlay mux.
 *
 * <h2>Kinds</h2>
 * {@link org.overlaygate.core.underlay.UdpMux} carries UDP encapsulations (VXLAN): one socket
 * receives on the listen address and port, a pool of sockets on source ports spread over a range
 * sends, the socket chosen by the inner flow's hash, for ECMP entropy (RFC 7348 section 5).
 * {@link org.overlaygate.core.underlay.IpMux} carries IP-protocol encapsulations (NVGRE, protocol
 * 47) on one raw socket.
 *
 * <h2>Receiving</h2>
 * Every receiving socket has its own thread: it reads a packet, hands it to the plugin's
 * {@link org.overlaygate.api.encap.Decapsulator} (one per plugin: the vnet id is only known after
 * the header is read), and gives the inner frame to the device of that vnet id. Everything that
 * goes wrong is a counted drop of that packet: a malformed or empty packet, an unknown vnet id, and
 * anything plugin code throws, a {@code LinkageError} from a half-removed bundle included.
 *
 * <h2>Multicast</h2>
 * A device may join a group (flood-and-learn, RFC 7348 section 4.2). The mux then opens a socket
 * bound to the group's address and the listen port (or, for raw IP, to the group), joined on the
 * named interface, or on the one owning the listen address; it receives only what is sent to that
 * group. Devices that differ only in their group share the mux and its unicast socket, each group
 * having a socket of its own; devices with the same group share that socket, counted, and the
 * group is left with its last user. Packets to groups leave through the sending sockets with one
 * interface and TTL per mux (asked for differently by two devices, the second is refused with the
 * reason) and do not loop back to this host.
 *
 * <h2>Sending</h2>
 * {@code send} never throws: what the kernel cannot queue now (EAGAIN, ENOBUFS) and what it
 * refuses (no route, too big for the path) are returned as drop reasons, which the device counts.
 */
package org.overlaygate.core.underlay;
