package org.overlaygate.search.katar;

import java.util.concurrent.atomic.AtomicBoolean;

import org.overlaygate.katar.protocol.Frame;

/**
 * One katar request on its way through a {@link ServerPool}: the operation and payload, and what
 * to do with the outcome, which happens exactly once: a reply (any status), or a failure. A
 * failure is a refusal when a server answered that it does not know the operation, otherwise no
 * server answered (all were unreachable, the request was tried on three connections, or it was
 * given up while waiting).
 */
abstract class Request {
    final int op;
    final byte[] payload;
    /** Requests with the same key replace each other while waiting for a server; null never does. */
    final Object waitKey;
    private final AtomicBoolean done = new AtomicBoolean();
    int attempts;
    volatile long sentAtNanos;
    /** The connection it was last sent on, or null. */
    volatile KatarConnection sentOn;
    /** Not torn down by the request timeout (a BULK_REQ already given up on: a plain SVP server never answers it). */
    volatile boolean timeoutExempt;
    /**
     * Sent at most once, never held and never sent again after its connection closed (BULK_REQ: a
     * server that closed the connection on it must not be asked again, and one given up on must
     * not see it on the next connection).
     */
    final boolean once;
    /** Set before a failure when the request was sent and the server closed its connection before answering. */
    volatile boolean lostWithConnection;

    Request(int op, byte[] payload, Object waitKey) {
        this(op, payload, waitKey, false);
    }

    Request(int op, byte[] payload, Object waitKey, boolean once) {
        this.op = op;
        this.payload = payload;
        this.waitKey = waitKey;
        this.once = once;
    }

    /** The reply, any status. Runs on a connection's reader thread: short, never blocking. */
    protected abstract void reply(Frame reply);

    /**
     * No answer: {@code refused} when the server said it does not know the operation (and closed
     * the connection), otherwise none could be had.
     */
    protected abstract void failed(String why, boolean refused);

    boolean isDone() {
        return done.get();
    }

    final void complete(Frame f) {
        if (done.compareAndSet(false, true)) {
            reply(f);
        }
    }

    final void fail(String why, boolean refused) {
        if (done.compareAndSet(false, true)) {
            failed(why, refused);
        }
    }
}
