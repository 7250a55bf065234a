/**
 * The overlay device: the virtual switch ({@link org.overlaygate.core.device.Device}), its target
 * cache ({@link org.overlaygate.core.device.TargetCache}) and the cache's state machine
 * ({@link org.overlaygate.core.device.TargetResolver}), and the upcall channel to varpd
 * ({@link org.overlaygate.core.device.UpcallChannel}). See the package overview of
 * {@code org.overlaygate.core} for how a frame travels through it.
 */
package org.overlaygate.core.device;
