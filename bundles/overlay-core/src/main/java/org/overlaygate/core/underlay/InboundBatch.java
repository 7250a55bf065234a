package org.overlaygate.core.underlay;

/**
 * What a receive thread hands its receivers with every frame of one batch of underlay packets (one
 * receive call's worth): the receiver may hold a frame back in it, to deliver it together with the
 * frames that follow (coalesced), as long as it leaves the buffer alone. The receive thread calls
 * {@link #flush()} after the last frame of each batch, before it reuses the buffer. One per receive
 * thread, made by the factory the mux was opened with.
 */
public interface InboundBatch {

    /** Delivers everything held back. Never throws. */
    void flush();
}
