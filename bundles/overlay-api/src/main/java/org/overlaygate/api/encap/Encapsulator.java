package org.overlaygate.api.encap;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Encapsulation and decapsulation for one overlay: pure, thread-safe functions, called once per
 * packet. Implementations must not allocate, block or throw.
 */
@ConsumerType
public interface Encapsulator {

    /**
     * Writes this encapsulation's header ({@link EncapsulationPlugin#headerLength()} bytes) at an
     * absolute index of {@code buf}; the inner frame follows it. Neither position nor limit move.
     *
     * @param vnetId the overlay's vnet id, already checked against the plugin's range
     * @param flowHash a hash of the inner flow, for encapsulations that carry entropy in their
     *     header (NVGRE's FlowID); others ignore it
     */
    void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash);

    /**
     * Reads and checks a header at {@code buf.position()}. On success records the vnet id in
     * {@code result}, advances the position to the first byte of the inner Ethernet frame and
     * returns {@code true}; otherwise records a constant drop reason and returns {@code false}
     * (the buffer may then be in any state). Any bytes whatever may arrive here.
     */
    boolean decapsulate(ByteBuffer buf, DecapResult result);
}
