package org.overlaygate.core.vnic;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads frames from the queues of a multi-queue device in turns, as a fair queueing scheduler
 * serves its flows: each round begins with one poll(2) of every queue, and then each queue that
 * had frames is read in turn for up to {@value #QUANTUM} bytes (at least one frame) before the
 * next one's turn. A frame that comes into a queue of its own behind a bulk flow's queue so waits
 * for at most one quantum of each other busy queue, not for everything queued before it (the
 * kernel spreads flows over the queues by their hash). With one busy queue it costs one poll per
 * quantum more than reading it alone. Owned by the one reader thread; allocates nothing.
 */
final class QueueRoundRobin {
    /** Bytes a queue may take per turn: one TCP segment of 64 KiB as the stack hands it over. */
    static final int QUANTUM = 64 * 1024;

    /** The queues, as a device offers them. */
    interface Queues {
        int count();

        /** One frame of queue {@code q} copied to {@code offset}: its length, 0 when the queue is empty (does not wait). */
        int read(int q, ByteBuffer direct, int offset) throws IOException;

        /** Waits up to {@code timeoutMillis} (0: not at all) for frames: a bit per queue that has some, 0 on timeout. */
        long await(int timeoutMillis) throws IOException;
    }

    private final Queues queues;
    private final int count;
    /** Queues of this round whose turn has not come yet. */
    private long pending;
    /** The queue whose turn it is, and the bytes it may still take. */
    private int current;
    private int credit;

    QueueRoundRobin(Queues queues) {
        this.queues = queues;
        this.count = queues.count();
        if (count < 1 || count > Long.SIZE) {
            throw new IllegalArgumentException("1 to " + Long.SIZE + " queues, not " + count);
        }
        this.current = count - 1;
    }

    /**
     * The next frame, copied to {@code offset}: its length; 0 when no queue has one within
     * {@code timeoutMillis} (0: only a frame already there). {@link #queue()} says where it came from.
     */
    int read(ByteBuffer direct, int offset, int timeoutMillis) throws IOException {
        for (;;) {
            if (credit > 0) {
                int n = queues.read(current, direct, offset);
                if (n > 0) {
                    credit -= n;
                    return n;
                }
                credit = 0; // empty: its turn ends early
                if (pending == 0 && timeoutMillis == 0) {
                    // the round is over: the caller sends what it holds and then waits, which polls
                    // anyway (a sparse frame so costs no poll more than with one queue)
                    return 0;
                }
            }
            if (pending == 0) {
                pending = queues.await(timeoutMillis); // a new round: what every queue has now
                if (pending == 0) {
                    return 0;
                }
            }
            current = next(current);
            pending &= ~(1L << current);
            credit = QUANTUM;
        }
    }

    /** The queue the last frame read came from. */
    int queue() {
        return current;
    }

    /** The first queue after {@code q} (circularly) that is pending; there is one. */
    private int next(int q) {
        long after = q + 1 >= count ? 0 : pending & (-1L << (q + 1));
        return Long.numberOfTrailingZeros(after != 0 ? after : pending);
    }
}
