/**
 * The {@code katar} search plugin: hosts find each other's VNICs through a katar mapping server,
 * in the SVP wire format illumos' {@code svp} plugin speaks to Joyent's portolan (so it also works
 * against portolan, and a katar server serves illumos hosts).
 *
 * <h2>What it does</h2>
 * A target-cache miss becomes a VL2 lookup ("where is MAC m of vnet v?"): the answer is the
 * destination, NOTFOUND a DROP entry for the data path's drop lifetime. ARP requests and neighbour
 * solicitations from local VNICs are answered by proxy from VL3 lookups ("which MAC has IP a?"),
 * which also install the MAC's destination, so the asker's first frame needs no lookup. Nothing is
 * flooded: broadcast and multicast other than ARP and neighbour discovery is dropped by the data
 * path (counted {@code no_flood_target}). Looked-up entries are asked about again after 60 s while
 * in use ({@link org.overlaygate.api.search.TargetPolicy#lookup}).
 *
 * <h2>Keeping the cache right</h2>
 * The server keeps an invalidation log per host (per underlay address). One {@link
 * org.overlaygate.search.katar.LogPoller} per (server, underlay address) reads it every 5 to 10 s
 * and hands each entry to the overlays of its vnet: a VL2 entry forgets the MAC, a VL3 entry is
 * looked up again, installed and announced to the local VNICs (gratuitous ARP or unsolicited
 * neighbour advertisement). What was answered since an invalidation is confirmed again {@code
 * katar/reconfirm_ms} later ({@link org.overlaygate.search.katar.Reconfirmations}), past a server's
 * own answer cache, which may have answered the lookup the invalidation caused with the old host.
 * At start, and when the server dropped part of the log (an overflow
 * entry), BULK warms the cache with the vnet's mappings, then the log is read. BULK is our
 * extension: {@link org.overlaygate.search.katar.BulkSupport} has each server asked once, and a
 * server that does not answer it within 2 s or closes the connection on it (portolan crashes) is
 * never asked again, across restarts too; no BULK_REQ is ever sent twice. Faster than the log, the
 * {@code shootdown} invalidation plugin corrects a stale sender within a round trip.
 *
 * <h2>Connections</h2>
 * One {@link org.overlaygate.search.katar.ServerPool} per {@code katar/host}:{@code katar/port},
 * shared by every overlay naming it: a {@link org.overlaygate.search.katar.KatarConnection} per
 * address the name resolves to (again every 30 s), reconnecting with jittered backoff from 1 to
 * 32 s; the {@link org.overlaygate.search.katar.RequestRouter} spreads requests round-robin over the
 * healthy ones, holds them while none is, and tears a connection down when a request went
 * unanswered for 30 s, sending it to another; {@link org.overlaygate.search.katar.Reachability}
 * tells the overlays when the server is reachable and when it is not. With no
 * server reachable the overlay is DEGRADED ("cannot reach any katar server at HOST:PORT: ..."),
 * cached destinations keep flowing in the data path, misses wait (theirs and the plugin's queues are
 * bounded) and are answered when a server returns. Bad bytes from a server close that connection,
 * counted; they never stop a thread.
 *
 * <h2>Threads</h2>
 * varpd's upcall threads only enqueue requests. Connects and name resolution, which block, run on
 * the plugin's blocking executor (a thread per operation under way); timers, retries, log polls and
 * the timeout sweep on its small scheduled pool, which never waits for the network, so a name
 * server that hangs holds up no timeout; replies are handled on each connection's reader thread. Nothing waits for the network while holding a lock a lookup needs. The statistics of
 * {@code overlay:stats} ({@code katar/lookups}, {@code katar/lookup_latency_p99_us},
 * {@code katar/log_vl2_applied}, {@code katar/connects} ...) come from
 * {@link org.overlaygate.api.search.SearchInstance#stats}.
 */
package org.overlaygate.search.katar;
