package org.overlaygate.core.device;

import java.nio.ByteBuffer;

import org.overlaygate.core.base.Counters;

/** A device's view of one of its VNICs: where local frames go. */
public interface LocalPort {

    String name();

    long mac();

    Counters counters();

    /**
     * Hands a frame ([offset, offset+length) of a direct buffer) to the VM behind the VNIC. Must
     * not keep a reference to the buffer; counts its own output and drops. The 16 bytes in front of
     * the frame are scratch space it may overwrite (a TAP device's offload header goes there):
     * every buffer of the data path leaves at least that much room.
     */
    void deliver(ByteBuffer buf, int offset, int length);
}
