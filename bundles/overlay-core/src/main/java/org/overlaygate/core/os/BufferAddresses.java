package org.overlaygate.core.os;

import java.nio.ByteBuffer;

/**
 * The native addresses of the few direct buffers one thread keeps using (a receive buffer, a
 * segment buffer ...), remembered so that looking one up costs no native call: four entries,
 * replaced round-robin. Owned by one thread.
 */
final class BufferAddresses {
    private final ByteBuffer[] buffers = new ByteBuffer[4];
    private final long[] addresses = new long[4];
    private int next;

    long of(ByteBuffer direct) {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] == direct) {
                return addresses[i];
            }
        }
        long a = LibC.addressOf(direct);
        buffers[next] = direct;
        addresses[next] = a;
        next = (next + 1) & 3;
        return a;
    }
}
