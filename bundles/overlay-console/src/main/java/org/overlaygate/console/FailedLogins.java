package org.overlaygate.console;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long a wrong password waits for its answer. Every failed login of the last minute counts,
 * whatever address it came from (through an SSH tunnel everyone is 127.0.0.1, so addresses tell
 * nobody apart): the first {@value #FREE} are answered at once (typos), each one after that waits
 * twice as long as the one before, from {@value #FIRST_DELAY_MS} ms up to {@value #MAX_DELAY_MS} ms.
 * Nothing here ever refuses a password: the right one is checked first and let in at once,
 * however many wrong ones came before.
 *
 * <p>A waiting answer holds one of the HTTP server's threads, so at most {@value #MAX_WAITING}
 * wait at once; a wrong password beyond that is answered 429 without waiting. That answer says as
 * much as a 401 would: parallel guessing is bounded by the threads, not slowed further, and a
 * strong password (the generated one has 144 bits) is the defence against it.
 */
final class FailedLogins {
    static final int FREE = 3;
    static final long FIRST_DELAY_MS = 250;
    static final long MAX_DELAY_MS = 2_000;
    static final int MAX_WAITING = 4;
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The failures of the last minute are counted up to this many; more cost no more delay. */
    private static final int REMEMBERED = 64;

    private final LongSupplier nanoTime;
    private final long[] times = new long[REMEMBERED];
    private int next;
    private int waiting;

    FailedLogins(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Counts a failed login; returns how long its answer waits, in ms. */
    synchronized long failed() {
        long now = nanoTime.getAsLong();
        times[next] = now | 1; // never 0, the mark of an unused slot
        next = (next + 1) % REMEMBERED;
        int recent = 0;
        for (long t : times) {
            if (t != 0 && now - t < WINDOW_NANOS) {
                recent++;
            }
        }
        if (recent <= FREE) {
            return 0;
        }
        int doublings = Math.min(recent - FREE - 1, 16);
        return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << doublings);
    }

    /** Takes one of the {@value #MAX_WAITING} places to wait in; false when all are taken. */
    synchronized boolean startWaiting() {
        if (waiting >= MAX_WAITING) {
            return false;
        }
        waiting++;
        return true;
    }

    synchronized void doneWaiting() {
        waiting--;
    }
}
