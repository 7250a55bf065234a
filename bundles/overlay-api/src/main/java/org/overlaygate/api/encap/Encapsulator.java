package org.overlaygate.api.encap;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Encapsulation for one overlay: a pure, thread-safe function called once per packet sent. Made by
 * {@link EncapsulationPlugin#newEncapsulator} from the overlay's properties, so a header may carry
 * per-overlay content (Geneve options, say). Implementations must not allocate, block or throw.
 */
@ConsumerType
public interface Encapsulator {

    /**
     * Bytes this encapsulator writes in front of every inner frame. Constant for the encapsulator's
     * life, and at most {@link EncapsulationPlugin#headerLength()}.
     */
    int headerLength();

    /**
     * Writes the header ({@link #headerLength()} bytes) at an absolute index of {@code buf}; the
     * inner frame follows it. Neither position nor limit move.
     *
     * @param vnetId the overlay's vnet id, already checked against the plugin's range
     * @param flowHash a hash of the inner flow, for encapsulations that carry entropy in their
     *     header (NVGRE's FlowID); others ignore it
     */
    void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash);
}
