package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The OS side of a VNIC: a TAP device or an attached interface. */
public interface FramePort {

    String osName();

    /** The MAC address of the OS device. */
    long macAddress() throws IOException;

    /**
     * Bytes of offload header (a virtio_net_hdr) the port puts in front of each frame it reads, at
     * [offset - length, offset); 0 for ports without offloads.
     */
    default int offloadHeaderLength() {
        return 0;
    }

    /** Waits up to {@code timeoutMillis} for one frame, copied to {@code offset}; 0 on timeout. */
    int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException;

    /**
     * Writes one frame; may overwrite up to 16 bytes in front of {@code offset}. Thread-safe.
     *
     * @return false when the device could not take it now (its queue is full, or it is down)
     */
    boolean write(ByteBuffer direct, int offset, int length) throws IOException;

    void close();
}
