/**
 * Virtual routers between overlays: the design's "zone that is used to create virtual routers",
 * as a drop-in plugin that every appliance runs as a <em>distributed gateway</em>: the same
 * router (name, addresses, MAC derived from the name) defined on every host answers its VMs at the
 * first hop, so routed traffic never hairpins through a central box.
 *
 * <h2>How it joins the overlays</h2>
 * A router has one {@link org.overlaygate.router.RouterPort} per overlay, attached through
 * {@code OverlayDevice.attachPort} as a <em>shared</em> port (the same MAC on every host). The
 * data path calls the port on its own threads, without a copy, with the frames for the router's
 * MAC and every broadcast; the router answers ARP, neighbour and router solicitations for its own
 * addresses itself (the broadcast then goes no further than this host) and sends what it forwards
 * into the egress overlay through the same transmit path a VNIC uses, so the overlay's target
 * cache, search plugin and encapsulation carry it to the next hop's host.
 *
 * <h2>Forwarding</h2>
 * {@link org.overlaygate.router.Router} follows RFC 1812 and RFC 8200 with Linux as the reference:
 * martians dropped, a longest-prefix match ({@link org.overlaygate.router.RouteTable}) over
 * connected, static and blackhole routes, TTL / hop limit with RFC 1624's incremental checksum,
 * the egress overlay's MTU (fragmentation needed / packet too big), ICMP errors from the ingress
 * port's address behind a token bucket ({@link org.overlaygate.router.IcmpRateLimit}). Each IP
 * family is one 128-bit form ({@link org.overlaygate.router.Ip}), so one match and one neighbour
 * table serve both. A forwarded packet is copied once into a per-thread buffer and sent in place:
 * no allocation while its next hop is known.
 *
 * <h2>NAT</h2>
 * A public address on one port's subnet may stand for an inside address on another's
 * ({@link org.overlaygate.router.Nat}): the router answers ARP for it there, rewrites the
 * destination of what is sent to it and the source of what the inside address sends out through
 * that port. Stateless, so every host that defines the router translates alike. Masquerading
 * (SNAT of a prefix behind one address) tracks connections in
 * {@link org.overlaygate.router.ConnTrack}, per host.
 *
 * <h2>Next hops</h2>
 * {@link org.overlaygate.router.NeighbourTable} per port, after Linux's neighbour states: the
 * overlay's search plugin is asked first (varpd's {@code AddressLookup}: katar's VL3, the files
 * plugin's arp/ndp keys), then ARP or a neighbour solicitation goes out from the port's address;
 * a few packets wait per next hop (bounded), at most 3 s, then their senders get host
 * unreachable. Entries go stale after 30 s and are probed again when used.
 *
 * <h2>Durable, replaceable</h2>
 * {@link org.overlaygate.router.RouterManager} keeps the definitions in ConfigAdmin (location
 * "?", so they outlive the jar), restores them when the bundle starts and attaches ports as the
 * overlays' devices appear. While the jar is replaced the ports are detached: layer-2 traffic on
 * the overlays flows on untouched, routed traffic stops until the new version attaches again. What
 * the router learnt goes across in the bundle's data area ({@link org.overlaygate.router.RouterState}):
 * masqueraded connections keep their outside ports (so they survive the upgrade), neighbours come
 * back STALE (used at once, confirmed when used).
 *
 * <h2>The uplink</h2>
 * One port of a router may be on a host interface instead of an overlay
 * ({@code router:uplink}): a TAP device the data path makes, or an existing interface attached
 * through pcap ({@code DataPath.openHostLink}). Both kinds of port send through a
 * {@link org.overlaygate.router.PortLink}; the uplink's resolves next hops by ARP and
 * solicitation alone and is where {@code PREFIX uplink} routes lead, to its gateway.
 */
package org.overlaygate.router;
