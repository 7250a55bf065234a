/**
 * The data path as varpd and the shell see it: overlay devices, VNICs, target caches and the upcall
 * channel of {@code overlay-core}, published as the {@link org.overlaygate.api.datapath.DataPath}
 * service.
 *
 * <h2>Who does what</h2>
 * overlay-core is mechanism: it moves frames between VNICs and the underlay, owns the encapsulation
 * plugins' use, keeps each overlay's target cache and flood destinations, counts everything, and
 * never waits for anyone. varpd is policy: it owns the durable definitions, creates devices and
 * VNICs from them, hosts the search and invalidation plugins, and answers upcalls. The split follows
 * illumos, where the kernel overlay driver and the varpd daemon meet at an ioctl interface; here
 * they meet at this package. Because the cache, the flood destinations and the devices live in the
 * core, varpd (or any plugin) may stop, crash or be replaced while known traffic flows on.
 *
 * <h2>The upcall channel</h2>
 * Everything the core needs from, or reports to, the lookup side travels as an
 * {@link org.overlaygate.api.datapath.Upcall} that varpd takes with
 * {@link org.overlaygate.api.datapath.DataPath#takeUpcall}:
 * <ul>
 * <li>{@link org.overlaygate.api.datapath.MissRequest}: a frame to a destination a DYNAMIC overlay
 * does not know created a PENDING entry (the frame waits on it, bounded); the answer makes it VALID
 * or DROP. An unanswered request is issued again after a while, so misses made while varpd or a
 * plugin was away are answered when they return. A VALID entry whose lifetime ran out while in use
 * is asked about again the same way, with frames still flowing to it meanwhile.</li>
 * <li>{@link org.overlaygate.api.datapath.LearnedSource}: a received frame's inner source is not
 * cached at its outer source address (flood-and-learn).</li>
 * <li>{@link org.overlaygate.api.datapath.NotHere}: a unicast frame arrived for a MAC that is not on
 * this host (for the overlay's invalidation plugin).</li>
 * <li>{@link org.overlaygate.api.datapath.AddressRequest}: an ARP request or neighbour solicitation,
 * to be answered by proxy with {@link org.overlaygate.api.datapath.OverlayDevice#deliverProxyReply}.</li>
 * </ul>
 * Each device may hold only a share of the bounded queue, and learning, not-here and address
 * requests are rate-limited; what does not fit is dropped and counted in the device's statistics.
 *
 * <h2>Why this package imports three types of {@code org.overlaygate.api.search}</h2>
 * {@code SearchMode}, {@code TargetPolicy} and {@code LookupRequest} are the data path's types in
 * illumos (POINT and DYNAMIC belong to the kernel, and libvarpd's plugins use them), so the
 * dependency should run from search to datapath. They stay in the search package because every
 * search plugin's bytecode names them there: moving them is a major version of
 * {@code org.overlaygate.api.search}, which no drop-in plugin built against 2.x would resolve
 * against. The alternative that breaks nothing, a copy of each type here with varpd translating,
 * trades one import for three duplicated types. They move together with the next change that
 * breaks the search package anyway.
 * <h2>Broadcast</h2>
 * Broadcast and multicast frames never go through the target cache: every one goes to the other
 * local VNICs and to the device's flood destinations, which the search plugin sets (a multicast
 * group, head-end replication peers, or none), except ARP requests and neighbour solicitations on a
 * proxying overlay, which become address requests.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.4.0")
package org.overlaygate.api.datapath;
