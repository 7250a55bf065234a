package org.overlaygate.core.underlay;

/**
 * How a receive thread waits after failed receives. The first failure is retried at once (a UDP
 * socket reports an ICMP error from an earlier send once, which is normal); consecutive ones wait
 * 1, 2, 4 ... up to {@value #MAX_MILLIS} ms, so a socket that fails for good costs no CPU while
 * it lasts, and the thread reads again within that time once it recovers. A success starts over.
 * One per receive thread.
 */
final class ReceiveBackoff {
    static final long MAX_MILLIS = 100;
    private int consecutive;

    /** A receive failed: how long to wait before the next one, in milliseconds (0: at once). */
    long failed() {
        consecutive++;
        return consecutive == 1 ? 0 : Math.min(MAX_MILLIS, 1L << Math.min(consecutive - 2, 16));
    }

    void succeeded() {
        consecutive = 0;
    }
}
