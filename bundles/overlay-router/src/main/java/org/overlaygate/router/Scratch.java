package org.overlaygate.router;

import java.nio.ByteBuffer;

import org.overlaygate.api.datapath.AttachedPort;

/**
 * Per-thread direct buffers with {@link AttachedPort#HEADROOM} in front of the frame, where the
 * router writes what it sends (a forwarded copy, an answer, an error). Sending may deliver, on the
 * same thread, to another router that sends in turn, so each nesting level has its own buffer,
 * as the data path's own sends do; beyond {@link #DEPTH} levels nothing is sent.
 */
final class Scratch {
    static final int DEPTH = 6;
    static final int OFFSET = AttachedPort.HEADROOM;
    static final int SIZE = OFFSET + 9216 + 64;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final ByteBuffer[] buffers = new ByteBuffer[DEPTH];
    private int depth;

    /** The calling thread's next free buffer, or {@code null} when nested too deep; give it back with {@link #leave}. */
    static ByteBuffer enter() {
        Scratch s = LOCAL.get();
        if (s.depth == DEPTH) {
            return null;
        }
        ByteBuffer b = s.buffers[s.depth];
        if (b == null) {
            b = ByteBuffer.allocateDirect(SIZE);
            s.buffers[s.depth] = b;
        }
        s.depth++;
        return b;
    }

    static void leave() {
        LOCAL.get().depth--;
    }
}
