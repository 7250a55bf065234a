/**
 * The {@code multicast} search plugin: RFC 7348 section 4.2's flood-and-learn, as the Linux kernel's
 * VXLAN does it with {@code group G dev IF} (a multicast group) or with all-zeros
 * {@code bridge fdb append ... dst PEER} entries (head-end replication to unicast peers, for
 * underlays without multicast).
 *
 * <h2>What it does</h2>
 * At start it joins the group ({@code multicast/group}) on {@code multicast/interface}, or on the
 * interface holding the overlay's listen address, with {@code multicast/ttl}, and tells the data
 * path to send broadcast, multicast and unknown unicast to the group and to every peer of
 * {@code multicast/peers}. The data path then reports each inner source MAC it sees behind an
 * underlay address it does not hold; the plugin learns it there, with the overlay's own port (the
 * source port of a received packet is a hashed, ephemeral one; every member of the overlay listens
 * on the same port, as with Linux's {@code dstport}). Learned entries move when a MAC shows up behind
 * another address, age out after {@code multicast/ageing} seconds without a frame from them (300, as
 * Linux), and are bounded by {@code multicast/max_entries}.
 *
 * <h2>While it is away</h2>
 * Everything lives in the data path: the group membership, the flood targets, the learned entries
 * and their ageing. Replacing or removing this plugin's jar changes none of it, so traffic goes on;
 * what is not learned meanwhile is flooded, and learned when the plugin is back.
 *
 * <h2>Encapsulations</h2>
 * VXLAN (UDP: destinations carry the overlay's port) and NVGRE (raw IP: no port; the group is
 * joined on a raw socket bound to it).
 */
package org.overlaygate.search.multicast;
