package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.core.underlay.InboundBatch;

/**
 * How a receive thread's frames reach local VNICs during one batch of underlay packets: the
 * {@link InboundBatch} the underlay hands the device is one of these when the data path made it
 * (a coalescer of TCP segments for VNICs that take them). Unicast frames go through it; the
 * device's other deliveries (broadcast, local switching, proxy replies) do not.
 */
public interface Delivery extends InboundBatch {

    /**
     * Hands a frame ([offset, offset+length) of a direct buffer) to {@code port}: at once, or held
     * back until {@link #flush()}, the buffer left untouched meanwhile. The port counts it.
     */
    void deliver(LocalPort port, ByteBuffer buf, int offset, int length);
}
