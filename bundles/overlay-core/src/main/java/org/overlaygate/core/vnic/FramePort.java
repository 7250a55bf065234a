package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The OS side of a VNIC: a TAP device or an attached interface. */
public interface FramePort {

    String osName();

    /** The MAC address of the OS device. */
    long macAddress() throws IOException;

    /** Waits up to {@code timeoutMillis} for one frame, copied to {@code offset}; 0 on timeout. */
    int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException;

    /** Writes one frame. Thread-safe. */
    void write(ByteBuffer direct, int offset, int length) throws IOException;

    void close();
}
