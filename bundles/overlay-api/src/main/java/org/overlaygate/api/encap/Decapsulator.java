package org.overlaygate.api.encap;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decapsulation for every packet arriving on an underlay socket of one encapsulation plugin,
 * whichever overlay it is for: the vnet id in the header is what selects the overlay, so there is
 * one decapsulator per plugin, not per overlay. A pure, thread-safe function called once per
 * packet received; it must not allocate, block or throw, whatever the bytes.
 */
@ConsumerType
public interface Decapsulator {

    /**
     * Reads and checks a header at {@code buf.position()}. On success records the vnet id in
     * {@code result}, advances the position to the first byte of the inner Ethernet frame (so a
     * header may have any length: options are skipped here) and returns {@code true}; otherwise
     * records a constant drop reason and returns {@code false} (the buffer may then be in any
     * state). Any bytes whatever may arrive here.
     */
    boolean decapsulate(ByteBuffer buf, DecapResult result);
}
