package org.overlaygate.core.device;

import java.nio.ByteBuffer;

/** A device's view of one of its VNICs: where local frames go. */
public interface LocalPort {

    String name();

    long mac();

    Counters counters();

    /**
     * Hands a frame ([offset, offset+length) of a direct buffer) to the VM behind the VNIC. Must
     * not keep a reference to the buffer; counts its own output and drops.
     */
    void deliver(ByteBuffer buf, int offset, int length);
}
