/**
 * Underlay muxes: the sockets on the IP underlay, each shared by every device with the same
 * (encapsulation, listen address, port) and demultiplexed by vnet id, as illumos' overlay mux.
 *
 * <h2>Kinds</h2>
 * {@link org.overlaygate.core.underlay.UdpMux} carries UDP encapsulations (VXLAN): sockets sharing
 * the listen address and port receive (one, or over IPv4 {@code underlayQueues} with SO_REUSEPORT:
 * the kernel spreads datagrams over them by the outer source port, which is the inner flow's hash,
 * so that a small flow does not queue behind a bulk one), a pool of sockets on source ports spread
 * over a range sends, the socket chosen by the inner flow's hash, for ECMP entropy (RFC 7348
 * section 5); a pool socket whose port is taken walks on to the next free one.
 * {@link org.overlaygate.core.underlay.IpMux} carries IP-protocol encapsulations (NVGRE, protocol
 * 47) on one raw socket.
 *
 * <h2>Receiving</h2>
 * Every receiving socket has its own thread: it receives what is queued (up to 32 datagrams per
 * recvmmsg with mmsg; with UDP_GRO up to 8 trains of 64 KiB, each split here by the segment size the
 * kernel reports), hands each datagram to the plugin's
 * {@link org.overlaygate.api.encap.Decapsulator} (one per plugin: the vnet id is only known after
 * the header is read), and gives the inner frame to the device of that vnet id, with the thread's
 * {@link org.overlaygate.core.underlay.InboundBatch}, in which a device may hold frames back; the
 * thread flushes it after the last datagram, before it receives into the buffer again. Everything
 * that goes wrong is a counted drop of that packet: a malformed or empty packet, an unknown vnet id,
 * and anything plugin code throws, a {@code LinkageError} from a half-removed bundle included. A
 * refusal whose header names a vnet id (the plugin's {@code DecapResult.drop(reason, vnetId)}) is
 * counted on the overlay of that id on this socket, where {@code overlay:stats NAME} shows it; every
 * other drop here is the socket's.
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
 * A VNIC reader sends through a {@link org.overlaygate.core.underlay.SendBatch} instead: packets are
 * held (not copied) until the reader flushes, then each mux sends its run of them with sendmmsg,
 * consecutive packets of one flow to one destination as one UDP GSO train (at most 64 datagrams,
 * all as long as the first but the last), and the batch counts each packet once: out, or dropped by
 * its reason. A train the kernel refuses to segment (EIO: the route's device cannot checksum) is sent
 * again packet by packet, and GSO goes off for that mux with a log line. Linux segments only
 * datagrams with UDP checksums: while GSO is on, a UDP mux's sending pool sends computed checksums
 * (completed by the NIC) instead of RFC 7348's recommended zeros; where the listen address's device
 * completes no checksums (a veth, a TAP, a bridge of them) GSO is off unless the operator forces it,
 * since a switch reading that device in software would drop the partial ones. NVGRE over raw IP has
 * no GSO; its batches go out with sendmmsg.
 *
 * <h2>Offloads</h2>
 * Each mux settles, when it opens, which of mmsg, udp_gro and udp_gso it uses (allowed by the
 * operator's setting, and probed: the kernel's version and a real setsockopt), logs it in one line,
 * and reports it by {@code offloads()}: "on", or "off: " and why.
 */
package org.overlaygate.core.underlay;
