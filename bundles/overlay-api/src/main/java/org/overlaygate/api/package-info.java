/**
 * Types shared by every Overlay Gate bundle: MAC addresses as {@code long}, underlay addresses,
 * and the names under which plugins register.
 *
 * <h2>The model in one page</h2>
 * An <em>overlay</em> is an isolated layer-2 network identified by a <em>vnet id</em>. Frames
 * from local VNICs are either switched locally or <em>encapsulated</em> (VXLAN, NVGRE, ...) and
 * sent across the IP <em>underlay</em> to the host that owns the destination MAC. Which host that
 * is comes from the overlay's <em>target cache</em>; a miss is answered asynchronously by a
 * <em>search plugin</em> hosted by varpd. Three kinds of plugin exist, each a DS service
 * registered with {@link org.overlaygate.api.PluginConstants#PLUGIN_NAME}:
 * <ul>
 * <li>{@link org.overlaygate.api.encap.EncapsulationPlugin} — how frames are wrapped;</li>
 * <li>{@link org.overlaygate.api.search.SearchPlugin} — where a MAC lives;</li>
 * <li>{@link org.overlaygate.api.invalidation.InvalidationPlugin} — telling remote hosts that a
 * mapping they used is stale.</li>
 * </ul>
 * Plugins come and go at run time (they are hot-reloaded from {@code plugins.d/}); consumers track
 * them dynamically, and a plugin disappearing is an ordinary event that degrades an overlay, never
 * an error that stops the data path.
 *
 * <p>{@link org.overlaygate.api.OverlayStatus} reports the overlays varpd keeps, their status and
 * lookup latency, to whatever shows them (metrics, the web console); any bundle may publish
 * {@link org.overlaygate.api.Measurements} of its own (the katar server does), in
 * {@link org.overlaygate.api.LatencyHistogram}s among others.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.overlaygate.api;
