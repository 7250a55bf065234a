/**
 * overlay-core: the data path of Overlay Gate, after the illumos overlay driver ({@code overlay.c}).
 *
 * <h2>Big theory statement</h2>
 *
 * <p>An <em>overlay device</em> ({@link org.overlaygate.core.device.Device}) is a virtual switch for
 * one layer-2 network identified by a vnet id. Its ports are <em>VNICs</em>
 * ({@link org.overlaygate.core.vnic}): Linux TAP devices, existing interfaces attached through
 * pcap, or in-memory ports. Frames that do not stay on this host are encapsulated by the overlay's
 * encapsulation plugin and carried across the IP <em>underlay</em>
 * ({@link org.overlaygate.core.underlay}) to the host that owns the destination MAC. Where that
 * host is comes from the device's <em>target cache</em>, filled by the lookup side (varpd and its
 * search plugins) through the <em>upcall channel</em>. The core is mechanism only: it never decides
 * where a MAC lives, it only remembers what it was told, asks when it does not know, and counts.
 *
 * <h3>Transmit</h3>
 * Each VNIC has one reader thread that reads frames into a direct buffer of its own, each with
 * {@link org.overlaygate.core.base.BufferLayout#HEADROOM} free bytes in front. A TAP VNIC hands over
 * TCP segments of up to 64 KiB (TSO), which the reader's
 * {@link org.overlaygate.core.vnic.TcpSegmenter} cuts into MSS-sized frames first. For each frame,
 * the device:
 * <ol>
 * <li>drops runts and frames larger than the overlay MTU allows (the outer packet must never need
 * fragmenting), counting them;</li>
 * <li>switches it locally when the destination MAC is another VNIC of the device (a lock-free
 * primitive-keyed map);</li>
 * <li>for a broadcast or multicast destination, delivers it to every other VNIC and sends it to the
 * device's <em>flood targets</em> (a multicast group, the peers of head-end replication, or
 * nowhere, as the search plugin set them), every time: group addresses never enter the cache. On an
 * overlay whose plugin answers ARP and neighbour discovery by proxy, an ARP request or neighbour
 * solicitation becomes an address request upcall instead of being flooded;</li>
 * <li>for unicast, uses the one fixed destination of a POINT device (the direct plugin), or the
 * target cache entry of a DYNAMIC device;</li>
 * <li>on a VALID entry, writes the encapsulation header into the headroom and hands header and
 * frame to the shared underlay mux, or, on a reader, to the reader's
 * {@link org.overlaygate.core.underlay.SendBatch}. No lock, no allocation, no call into varpd: this
 * is the hot path, checked by tests and by JMH to allocate nothing. A refusal by the kernel (queue
 * full, no route) is a drop counted by its reason, not a packet sent.</li>
 * </ol>
 * A reader takes frames without waiting while its TAP has them, and flushes its batch when it has
 * none (or its buffer is full): the muxes send the batch with sendmmsg, consecutive packets of one
 * flow to one destination as one UDP GSO train, and only then is each packet counted, out or
 * dropped. The segments of a 64 KiB TCP segment thus leave in one system call.
 *
 * <h3>Misses, learning and ageing</h3>
 * The state machine of the cache is {@link org.overlaygate.core.device.TargetResolver}. A unicast
 * destination the cache does not know is flooded when the plugin floods and learns (RFC 7348
 * section 4.2); otherwise it gets a PENDING entry, the frame is copied onto the entry's queue
 * (bounded per entry, 128 KiB by default, and across all devices), and a miss upcall is queued. The
 * reader thread returns at once: the data path never waits for an answer. The answer makes the
 * entry VALID and sends what waited, or DROP for a while, counted by the plugin's reason. A miss
 * varpd took but nobody answered is issued again by the sweeper; one still queued waits there, so
 * misses made while varpd or its plugin are away are answered when they return.
 *
 * <p>On receive, a device whose plugin learns compares each frame's inner source MAC with the cache:
 * a learned entry at the frame's outer address is confirmed (allocation-free), anything else is
 * reported as a learned-source upcall, at most every 100 ms per MAC. Entries age by the plugin's
 * {@link org.overlaygate.api.search.TargetPolicy}: a learned entry not confirmed within the lifetime
 * is removed; a looked-up one still in use is asked about again while frames keep flowing to it;
 * one set by the operator never ages. The cache and the number of learned entries are bounded; the
 * least recently used entries are evicted in batches. Every drop and event is counted by name.
 *
 * <h3>Receive</h3>
 * One underlay mux exists per (encapsulation, listen address, port) and is shared by every device
 * on it, plus one socket per multicast group a device joined. Each receiving socket's thread takes
 * what is queued at once (recvmmsg; with UDP_GRO a train of datagrams of one flow arrives as one and
 * is split by its segment size) and hands each packet to the plugin's decapsulator (one per plugin:
 * it refuses malformed headers with a counted reason, never an exception), finds the device by vnet
 * id (unknown ids are counted), and the device delivers the inner frame to the VNIC owning the
 * destination MAC, or to all of them for broadcast. Unicast goes through the thread's
 * {@link org.overlaygate.core.device.Delivery}, a {@link org.overlaygate.core.vnic.TcpCoalescer}:
 * consecutive TCP segments of one flow for one TAP VNIC are held until the end of the batch and
 * written as one large segment (userspace GRO), so that the stack behind the TAP does its work once
 * per 64 KiB; everything else is written at once. A unicast frame for a MAC that is not here is
 * counted and reported, rate-limited per (MAC, sender), as a not-here upcall for the overlay's
 * invalidation plugin.
 *
 * <h3>Offloads</h3>
 * mmsg, udp_gro, udp_gso, tap_tso and tap_gro ({@link org.overlaygate.core.base.Offload}) are used
 * where the operator's setting allows them and the kernel has them: each is probed when its socket
 * or TAP device opens (the kernel's version and a real setsockopt or ioctl) and falls back on its
 * own, with one log line; {@code DataPath.offloads()} says what each socket and VNIC uses and why
 * not the rest. Every combination interoperates: the wire carries ordinary VXLAN and NVGRE packets
 * either way (with UDP GSO, they carry UDP checksums instead of zeros).
 *
 * <h3>The upcall channel</h3>
 * Misses, learned sources, not-here reports and address requests go on one bounded queue that varpd
 * takes from ({@link org.overlaygate.api.datapath.DataPath#takeUpcall}). Each device may hold at most
 * a share of it, and the kinds that come with traffic are rate-limited per device; what does not fit
 * is dropped and counted as {@code upcall_dropped_*}. No data path thread ever waits on it.
 *
 * <h3>Encapsulation plugins</h3>
 * The core tracks {@link org.overlaygate.api.encap.EncapsulationPlugin} services itself
 * ({@link org.overlaygate.core.EncapsulationBinder}): a device names its encapsulation and carries
 * its properties; the best registered service of that name is checked against the device, its
 * encapsulator and decapsulator are run once (so their classes are loaded while the bundle is surely
 * active) and swapped in atomically. When a plugin's bundle is updated or removed, devices keep the
 * code they have and forward on; one whose plugin stays absent reports it as a fault
 * ("encapsulation vxlan absent: forwarding with version 1.0.0"). A plugin whose header does not fit
 * the headroom is refused with both figures.
 *
 * <h3>Concurrency</h3>
 * Devices keep their VNIC set, encapsulation, flood targets and policy as immutable snapshots in
 * volatile fields, replaced under the device's monitor: reader threads never lock. Cache entries
 * are read without a lock (state and destinations are volatile); only PENDING entries and answers
 * touch the entry's monitor. Counters are LongAdders. Plugin code (encapsulators, decapsulators)
 * runs on the reader threads, so they survive anything it throws, a {@code LinkageError} of a
 * half-removed bundle included, counting it. Lock order, where locks are taken at all: the
 * {@link org.overlaygate.core.DataPathService}, then a device, then a cache entry; the service's
 * monitor guards devices, VNICs, muxes and plugin bindings, and no frame path takes it.
 *
 * <h3>Ownership</h3>
 * {@link org.overlaygate.core.DataPathService} is the one DS component: it owns devices, VNICs,
 * muxes, the plugin bindings, the upcall queue and the sweeper, and publishes them as
 * {@link org.overlaygate.api.datapath.DataPath}. Stopping it closes every socket and removes every
 * TAP device it created. Below everything sits {@link org.overlaygate.core.base} (counters, drop
 * reasons, the buffer layout); the native calls (TAP, raw IP, UDP options, multicast, pcap) are in
 * {@link org.overlaygate.core.os}.
 */
package org.overlaygate.core;
