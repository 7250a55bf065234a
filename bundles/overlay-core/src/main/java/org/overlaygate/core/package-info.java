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
 * ({@link org.overlaygate.core.underlay}) to the host that owns the destination MAC.
 *
 * <h3>Transmit</h3>
 * Each VNIC has one reader thread that owns a direct buffer with {@code HEADROOM} free bytes in
 * front of the frame. For each frame it reads, the device:
 * <ol>
 * <li>drops runts and frames larger than the overlay MTU allows (the outer packet must never need
 * fragmenting), counting them;</li>
 * <li>switches it locally when the destination MAC is another VNIC of the device (a lock-free
 * primitive-keyed map), or floods a broadcast/multicast frame to every other VNIC;</li>
 * <li>otherwise finds the underlay destination: the one fixed destination of a POINT device (the
 * direct plugin), or the <em>target cache</em> entry of a DYNAMIC device;</li>
 * <li>on a VALID entry, writes the encapsulation header into the headroom and hands header and
 * frame to the shared underlay socket. No lock, no allocation, no call into varpd: this is the hot
 * path, checked by a test and by JMH to allocate nothing.</li>
 * </ol>
 *
 * <h3>Misses</h3>
 * A destination the cache does not know gets a PENDING entry; the frame is copied onto the entry's
 * queue (bounded per entry, 128 KiB by default, and across all devices) and one
 * {@link org.overlaygate.api.datapath.MissRequest} goes on the service's bounded miss queue. The
 * reader thread returns at once: the data path never waits for an answer. varpd takes requests,
 * asks the overlay's search plugin and answers: RESPOND makes the entry VALID and sends what
 * waited; DROP makes it DROP, dropping frames to that MAC until the answer expires. An entry nobody
 * answers is asked about again by the sweeper, so misses made while varpd or its plugin were away
 * are answered when they return. The cache is bounded too; beyond its bound the least recently
 * used entries are evicted in batches. Every drop is counted by reason.
 *
 * <h3>Receive</h3>
 * One underlay socket exists per (encapsulation, listen address, port) and is shared by every
 * device on it. Its receive thread hands each packet to the encapsulation's decapsulator (which
 * refuses malformed headers with a counted reason, never an exception), finds the device by vnet
 * id (unknown ids are counted), and the device delivers the inner frame to the VNIC owning the
 * destination MAC, or to all of them for broadcast. A unicast frame for a MAC that is not here is
 * counted and reported, rate-limited and off the data path, to the overlay's invalidation handler.
 *
 * <h3>Concurrency</h3>
 * Devices keep their VNIC set and their encapsulation as immutable snapshots in volatile fields,
 * replaced under the device's monitor: reader threads never lock. Cache entries are read without
 * a lock (state and destinations are volatile); only PENDING entries are touched under the
 * entry's monitor. Counters are LongAdders. A plugin replaced at run time swaps the encapsulator
 * atomically, so cached traffic does not stop while plugins are updated; the encapsulator is run
 * once before use, so its classes are loaded while its bundle is surely active.
 *
 * <h3>Ownership</h3>
 * {@link org.overlaygate.core.DataPathService} is the one DS component: it owns devices, VNICs,
 * sockets, the miss queue and the sweeper, and publishes them as
 * {@link org.overlaygate.api.datapath.DataPath}. Stopping it closes every socket and removes every
 * TAP device it created. The native calls (TAP, raw IP, pcap) are in {@link org.overlaygate.core.os}.
 */
package org.overlaygate.core;
