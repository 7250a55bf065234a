/**
 * The encapsulation plugin contract: how a layer-2 frame is wrapped for the underlay and
 * unwrapped on arrival.
 *
 * <h2>Division of labour</h2>
 * An encapsulation plugin is two pure functions and a description; the core does everything
 * else. The plugin says which underlay transport it needs ({@link UnderlayTransport}: a UDP port,
 * as VXLAN's 4789, or an IP protocol number, as NVGRE's 47), how long its header is, which vnet
 * ids are valid, and which properties an overlay using it takes. The core opens and owns the
 * sockets, shares one per (encapsulation, listen address, port) among all overlays on it, picks
 * the outer source port, and demultiplexes by vnet id. The plugin never does I/O, starts no
 * thread and holds no state beyond an overlay's properties.
 *
 * <h2>The hot path</h2>
 * {@link Encapsulator#encapsulate} and {@link Encapsulator#decapsulate} run once per packet on the
 * data path threads. They must not allocate, block, or throw on any input: a packet they cannot
 * accept is refused through {@link DecapResult#drop(String)} with a constant reason string, which
 * the core counts.
 *
 * <h2>Life cycle</h2>
 * Plugins are DS services registered with {@link org.overlaygate.api.PluginConstants#PLUGIN_NAME}.
 * When a plugin bundle is replaced, the core keeps the {@link Encapsulator} it already has until
 * the new service appears, so cached traffic keeps flowing across the update.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.overlaygate.api.encap;
