/**
 * varpd's overlays: definitions kept durably through ConfigAdmin, bound to plugins and to the
 * data path by {@link org.overlaygate.varpd.overlay.OverlayManager}, which heals them as plugins
 * and the data path come and go, and the lookup threads that answer the data path's misses
 * through the search plugins. Devices live in overlay-core, so stopping varpd leaves cached traffic
 * flowing; a new varpd adopts the existing devices.
 */
package org.overlaygate.varpd.overlay;
