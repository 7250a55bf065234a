package org.overlaygate.katar.server.net;

/**
 * The bounds of the protocol server; past each one the client sees a refusal, never a queue that
 * grows without end.
 *
 * @param maxConnections connections open at once; one more is accepted and closed at once. The
 *     last eighth of them ({@link #reserved()}) is kept for addresses that have no connection yet,
 *     so that clients holding many cannot take the last places
 * @param maxConnectionsPerAddress connections open at once from one source address; one more is
 *     accepted and closed at once
 * @param maxOutstanding requests of one connection waiting for the database; one more is answered
 *     TRYAGAIN at once
 * @param maxMessageBytes largest request payload read (a larger size in a header closes the
 *     connection) and largest reply payload written (LOG_ACK and BULK_ACK pages are cut to it)
 * @param workers threads that run database lookups
 * @param workQueue lookups waiting for a worker, all connections together; one more is answered
 *     TRYAGAIN
 * @param stalledMessageMs a message whose first byte arrived this long ago and which is still not
 *     complete closes its connection, however the rest trickles in (it holds a connection slot and
 *     a buffer otherwise)
 * @param idleTimeoutMs a connection that sent no complete message for this long, and waits for no
 *     answer, is closed; hosts ask for their log every few seconds, so only dead or hoarded
 *     connections reach it
 */
public record Limits(int maxConnections, int maxConnectionsPerAddress, int maxOutstanding, int maxMessageBytes, int workers,
        int workQueue, int stalledMessageMs, int idleTimeoutMs) {
    public Limits {
        check("max connections", maxConnections, 1);
        check("max connections per address", maxConnectionsPerAddress, 1);
        check("max outstanding requests", maxOutstanding, 1);
        check("max message bytes", maxMessageBytes, 64);
        check("workers", workers, 1);
        check("work queue", workQueue, 1);
        check("stalled message ms", stalledMessageMs, 1);
        check("idle timeout ms", idleTimeoutMs, 1);
    }

    private static void check(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", not " + value);
        }
    }

    /**
     * A connection takes no further request while it holds this many bytes: replies waiting to be
     * sent to it, and the largest reply of each of its requests a worker is still answering.
     */
    public int maxQueuedReplyBytes() {
        return Math.max(4 * largestReply(), 256 * 1024);
    }

    /** The largest message the server writes: a full BULK_ACK or LOG_ACK page with its header. */
    public int largestReply() {
        return maxMessageBytes + 16;
    }

    /**
     * Once every connection together holds this many bytes, a connection that holds one
     * {@link #largestReply() reply} takes no further request until the total is three quarters
     * of it: 256 connections pipelining BULK_REQ and never reading then hold 32 MiB, not the heap.
     */
    public long maxQueuedBytesTotal() {
        return Math.max(32L * 1024 * 1024, 2L * maxQueuedReplyBytes());
    }

    /** Places kept for addresses with no connection yet: an eighth of {@link #maxConnections}, at least one. */
    public int reserved() {
        return Math.max(1, maxConnections / 8);
    }

    public static Limits defaults() {
        return new Limits(1024, 64, 256, 64 * 1024, 4, 4096, 30_000, 120_000);
    }
}
