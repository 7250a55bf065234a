package org.overlaygate.core.device;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;

import org.overlaygate.api.datapath.SnoopedFrame;

/**
 * The listeners of {@code overlay:snoop} on one device. Frame paths check {@link #active()} (one
 * volatile read) and copy a frame only while someone listens; a listener's failure never reaches
 * the data path.
 */
final class Snooper {
    @SuppressWarnings("unchecked")
    private volatile Consumer<SnoopedFrame>[] listeners = new Consumer[0];

    boolean active() {
        return listeners.length > 0;
    }

    synchronized AutoCloseable add(Consumer<SnoopedFrame> listener) {
        Consumer<SnoopedFrame>[] next = Arrays.copyOf(listeners, listeners.length + 1);
        next[next.length - 1] = listener;
        listeners = next;
        return () -> remove(listener);
    }

    private synchronized void remove(Consumer<SnoopedFrame> listener) {
        listeners = Arrays.stream(listeners).filter(l -> l != listener).toArray(n -> Arrays.copyOf(listeners, n));
    }

    void snoop(SnoopedFrame.Direction direction, ByteBuffer buf, int offset, int length) {
        byte[] copy = new byte[length];
        buf.get(offset, copy);
        Instant now = Instant.now(); // microseconds or better on Linux
        SnoopedFrame frame = new SnoopedFrame(now.getEpochSecond() * 1_000_000_000L + now.getNano(), direction, copy);
        for (Consumer<SnoopedFrame> l : listeners) {
            try {
                l.accept(frame);
            } catch (RuntimeException ignored) {
                // a listener's failure must not disturb the data path
            }
        }
    }
}
