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
     * not keep a reference to the buffer, nor write to it (the bytes around the frame may be other
     * frames still waiting in a batch); counts its own output and drops.
     */
    void deliver(ByteBuffer buf, int offset, int length);
}
