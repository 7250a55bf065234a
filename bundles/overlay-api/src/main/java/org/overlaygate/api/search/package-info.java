/**
 * The search plugin contract: answering "where does this MAC live?" for an overlay's target cache.
 *
 * <h2>Two modes</h2>
 * A {@link SearchMode#POINT POINT} plugin (direct) names one fixed underlay destination; the core
 * sends every frame of the overlay there, broadcast included, and keeps no cache. A
 * {@link SearchMode#DYNAMIC DYNAMIC} plugin (multicast, katar) is asked about each destination the
 * target cache misses.
 *
 * <h2>Asynchrony</h2>
 * The data path never waits. On a miss the core queues the frame on a PENDING cache entry and
 * puts a request on its miss queue; varpd's worker threads take requests and call
 * {@link SearchInstance#lookup}. The plugin answers whenever it can, from any thread, exactly once,
 * through the {@link LookupCallback}: a destination (the entry becomes VALID and its queued frames
 * go out) or a drop (the entry becomes DROP for a while, counted by the plugin's reason).
 *
 * <h2>Broadcast, learning and ageing</h2>
 * Frames for group addresses (broadcast, multicast) are never looked up: they go to the overlay's
 * <em>flood targets</em>, which the instance sets through {@link SearchContext#setFloodTargets} (a
 * multicast group, the peers of head-end replication, or none), and which may take unknown unicast
 * too (flood-and-learn, RFC 7348 section 4.2). An instance whose {@link TargetPolicy} learns is told
 * of sources the cache does not hold ({@link SearchInstance#learned}) and installs what it believes
 * with {@link SearchContext#learnTarget}. The policy also says how long entries live: learned ones
 * age out without traffic from them, looked-up ones are asked about again while in use.
 *
 * <h2>Instances and state</h2>
 * A plugin is a factory: varpd creates one {@link SearchInstance} per overlay from the overlay's
 * properties, hands it a {@link SearchContext} (degrade and restore the overlay, invalidate or set
 * cache entries, set flood targets, join underlay groups, announce addresses to local VNICs),
 * restores any state it saved before, then starts it.
 * Instances may be stopped and destroyed at any time, because plugins are replaced at run time;
 * lookups outstanding at that moment are simply re-asked of the next instance.
 *
 * <h2>Address proxies</h2>
 * A plugin that knows IP-to-MAC mappings may answer ARP requests and IPv6 neighbour solicitations
 * on behalf of remote hosts ({@link SearchInstance#proxyAddress}); varpd builds the reply frame,
 * so broadcast ARP need not cross the underlay. On such an overlay ARP requests and neighbour
 * solicitations are never flooded (gratuitous ARP is not a request, and is flooded as any
 * broadcast).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.3.0")
package org.overlaygate.api.search;
