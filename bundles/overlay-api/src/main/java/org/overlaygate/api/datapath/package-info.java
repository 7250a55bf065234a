/**
 * The data path as varpd and the shell see it: overlay devices, VNICs, target caches and the miss
 * queue of {@code overlay-core}, published as the {@link org.overlaygate.api.datapath.DataPath}
 * service.
 *
 * <h2>Who does what</h2>
 * overlay-core is mechanism: it moves frames between VNICs and the underlay, keeps each overlay's
 * target cache, counts everything, and never waits for anyone. varpd is policy: it owns the
 * durable definitions, creates devices and VNICs from them, hosts the search plugins, and answers
 * misses. The split follows illumos, where the kernel overlay driver and the varpd daemon meet at
 * an ioctl interface; here they meet at this package. Because the cache and the devices live in
 * the core, varpd (or any plugin) may stop, crash or be replaced while cached traffic flows on.
 *
 * <h2>Misses</h2>
 * A frame to a destination a DYNAMIC overlay does not know creates a PENDING cache entry, is queued
 * on it (bounded), and a {@link org.overlaygate.api.datapath.MissRequest} goes on the core's
 * bounded miss queue. varpd takes requests with {@link org.overlaygate.api.datapath.DataPath#takeMiss}
 * and answers through the request, which is a {@link org.overlaygate.api.search.LookupCallback}.
 * A request that nobody answers is issued again by the core after a while, so misses made while
 * varpd or a search plugin was away are answered when they return.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.overlaygate.api.datapath;
