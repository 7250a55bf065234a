/**
 * The {@code direct} search plugin, after illumos {@code varpd_direct}: point-to-point overlays.
 * Every frame of the overlay, broadcast and multicast included, goes to one underlay destination
 * given by {@code direct/dest_ip} (and {@code direct/dest_port} when the encapsulation is UDP). There
 * is nothing to look up, so the core keeps no target cache for such an overlay.
 */
package org.overlaygate.search.direct;
