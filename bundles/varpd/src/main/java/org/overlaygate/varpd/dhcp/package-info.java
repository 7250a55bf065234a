/**
 * The DHCPv4 server of each overlay, and illumos' DHCP proxy mode.
 *
 * <h2>Why in varpd</h2>
 * DHCP is configured by overlay properties ({@code dhcp/subnet}, {@code dhcp/range} ...) that are
 * valid whatever the search plugin, checked at {@code overlay:create} and stored with the overlay:
 * varpd owns those. Its reservations and its proxy destinations come from the search plugin varpd
 * hosts ({@code SearchInstance.dhcpHint}), as illumos' varpd answers DHCP by proxy through its
 * plugins. A separate bundle would need an SPI for properties of its own and a way to reach the
 * plugin instances, for nothing gained: the data path (frames) stays in overlay-core, reached
 * through an attached port as any bundle would.
 *
 * <h2>How a VM gets its address</h2>
 * Each network served (the untagged one, a VLAN) has a port attached to the overlay on that VLAN
 * ({@link org.overlaygate.varpd.dhcp.DhcpService}), with the same MAC on every appliance
 * ({@code 02:dc:...}: a distributed server, as OVN's). The VM's DHCPDISCOVER, a broadcast, reaches
 * it on the data-path thread ({@link org.overlaygate.varpd.dhcp.DhcpServer}), which takes it off
 * the wire (it is not flooded to other hosts, and not proxied) and hands a copy to the DHCP thread.
 * There the message is parsed whole ({@link org.overlaygate.varpd.dhcp.DhcpMessage}: a malformed
 * or truncated one is counted, never answered), the search plugin is asked what it knows of the
 * client, the lease table decides ({@link org.overlaygate.varpd.dhcp.Responder},
 * {@link org.overlaygate.varpd.dhcp.LeaseTable}), and the reply
 * ({@link org.overlaygate.varpd.dhcp.DhcpReply}) goes back through the port, to the VM alone
 * (unicast, or broadcast when the client asks for it). Renewals are sent by the VM to the
 * server's address: the port answers ARP for it. Each appliance answers its own VMs only: an
 * overlay spanning several appliances gives each its own {@code dhcp/range}, or reserves
 * addresses. Leases are kept in {@code DATA/dhcp/OVERLAY.leases}
 * ({@link org.overlaygate.varpd.dhcp.LeaseFile}).
 *
 * <h2>Proxy mode</h2>
 * When the search plugin names, for a client, the MAC of a DHCP server on the overlay (the files
 * plugin's {@code dhcp-proxy} key), the client's broadcast is sent to that MAC as unicast instead
 * of being answered or flooded, as illumos' {@code libvarpd_plugin_proxy_dhcp} does.
 */
package org.overlaygate.varpd.dhcp;
