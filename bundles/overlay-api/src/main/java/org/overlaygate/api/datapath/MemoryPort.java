package org.overlaygate.api.datapath;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

/** The far side of an in-memory VNIC: what a VM would see. */
@ProviderType
public interface MemoryPort {

    /** Sends a frame (position to limit) into the overlay, as a VM on this VNIC would. */
    void send(ByteBuffer frame);

    /**
     * The next frame the overlay delivered to this VNIC, waiting up to {@code timeout}.
     *
     * @return the frame, or {@code null} on timeout
     */
    byte[] receive(long timeout, TimeUnit unit) throws InterruptedException;

    /** Frames delivered but not yet received (the queue is bounded; beyond it frames are dropped and counted). */
    int queued();
}
