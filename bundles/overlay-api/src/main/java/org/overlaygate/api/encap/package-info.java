/**
 * The encapsulation plugin contract: how a layer-2 frame is wrapped for the underlay and
 * unwrapped on arrival.
 *
 * <h2>Division of labour</h2>
 * An encapsulation plugin is two pure functions and a description; the core does everything
 * else. The functions are split by what they depend on: an {@link Encapsulator} is made per overlay
 * (it may put overlay properties into the header), while one {@link Decapsulator} per plugin serves
 * every overlay on the plugin's sockets, because the overlay of a received packet is only known
 * once its header has been read. The plugin says which underlay transport it needs ({@link UnderlayTransport}: a UDP port,
 * as VXLAN's 4789, or an IP protocol number, as NVGRE's 47), how long its header is, which vnet
 * ids are valid, and which properties an overlay using it takes. The core opens and owns the
 * sockets, shares one per (encapsulation, listen address, port) among all overlays on it, picks
 * the outer source port, and demultiplexes by vnet id. The plugin never does I/O, starts no
 * thread and holds no state beyond an overlay's properties.
 *
 * <h2>The hot path</h2>
 * {@link Encapsulator#encapsulate} and {@link Decapsulator#decapsulate} run once per packet on the
 * data path threads. They must not allocate, block, or throw on any input: a packet they cannot
 * accept is refused through {@link DecapResult#drop(String)} with a constant reason string, which
 * the core counts on the underlay socket; or, when the header was read far enough to name its vnet
 * id, through {@link DecapResult#drop(String, long)}, counted on that overlay (where the operator
 * looks: {@code overlay:stats NAME}).
 *
 * <h2>Life cycle</h2>
 * Plugins are DS services registered with {@link org.overlaygate.api.PluginConstants#PLUGIN_NAME}.
 * The data path tracks them itself (varpd only reads their descriptions, to check and list
 * properties). When a plugin bundle is replaced, the core keeps the encapsulators and decapsulator
 * it already has, their classes loaded beforehand, until the new service appears, and then swaps
 * to the new ones atomically: cached traffic keeps flowing across the update. A plugin that stays
 * absent leaves its overlays DEGRADED ("encapsulation vxlan absent: forwarding with version X"),
 * still forwarding with the code they have.
 *
 * <h2>Header room</h2>
 * Every frame buffer of the data path keeps a fixed number of free bytes in front of the frame;
 * the encapsulation header is written there, so sending copies nothing. A header may have any
 * length up to that room ({@link EncapsulationPlugin#headerLength()} declares the most a plugin
 * writes); a received header may have any length at all, since the decapsulator moves the buffer's
 * position past it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.2.0")
package org.overlaygate.api.encap;
