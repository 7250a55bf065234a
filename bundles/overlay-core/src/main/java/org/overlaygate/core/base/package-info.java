/**
 * What every part of the data path shares, below all of them: counters and drop reasons, the
 * layout of frame buffers, and the names and states of the I/O offloads. It depends on nothing else in overlay-core, so the switch
 * ({@code device}), the underlay muxes ({@code underlay}) and the VNICs ({@code vnic}) can all use
 * it without depending on each other.
 */
package org.overlaygate.core.base;
