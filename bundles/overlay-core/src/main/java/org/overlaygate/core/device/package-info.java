/**
 * The overlay device: the virtual switch ({@link org.overlaygate.core.device.Device}), its target
 * cache ({@link org.overlaygate.core.device.TargetCache}) and the cache's state machine
 * ({@link org.overlaygate.core.device.TargetResolver}), and the upcall channel to varpd
 * ({@link org.overlaygate.core.device.UpcallChannel}). Readers and receive threads that work in
 * batches enter through {@code fromVnic(..., SendBatch)} and {@code fromUnderlay(..., InboundBatch)}:
 * sends are held in the reader's batch, and unicast for a local VNIC goes through the receive
 * thread's {@link org.overlaygate.core.device.Delivery}, which may coalesce it. See the package overview of
 * {@code org.overlaygate.core} for how a frame travels through it.
 */
package org.overlaygate.core.device;
