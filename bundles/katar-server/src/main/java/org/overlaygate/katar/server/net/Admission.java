package org.overlaygate.katar.server.net;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.overlaygate.katar.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a connection may take another request, and the lookups that wait for the database.
 *
 * <p>Memory: every connection <em>holds</em> the bytes of the replies queued for it plus, for each
 * request handed to a worker, the largest reply that request can have (a BULK_ACK page is
 * {@link Limits#maxMessageBytes}): work in progress is counted before it exists, so a client that
 * pipelines BULK_REQ and never reads cannot make the workers build what it will not take. A
 * connection stops taking requests (its bytes stay unread in the kernel, then in the client's
 * send buffer) while it holds {@link Limits#maxQueuedReplyBytes} or more, until that is half
 * sent; and, once it holds one reply's worth, while every connection together holds
 * {@link Limits#maxQueuedBytesTotal()} or more. So the heap the protocol can take is bounded:
 * at most the total, plus one largest reply and one read's leftover per connection.
 *
 * <p>Work: a request of one connection beyond {@link Limits#maxOutstanding} waiting for the
 * database is answered TRYAGAIN; lookups queue per source address, taken round robin
 * ({@link FairWork}).
 */
final class Admission implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    /** Why a connection is not taking requests. */
    enum Pause {
        /** Its own replies: resumed when half of them are sent. */
        OWN("read_paused"),
        /** Every connection's together: resumed when it holds less than one reply or the total has room again. */
        TOTAL("read_paused_total");

        final String counter;

        Pause(String counter) {
            this.counter = counter;
        }
    }

    private final Limits limits;
    private final ServerStats stats;
    private final FairWork work;
    /** Bytes held by every connection together. */
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong lastBackendWarning = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger inProgress = new java.util.concurrent.atomic.AtomicInteger();

    Admission(Limits limits, ServerStats stats) {
        this.limits = limits;
        this.stats = stats;
        this.work = new FairWork(limits.workers(), limits.workQueue(), "katar-worker");
    }

    /** Adds (or with a negative {@code bytes} releases) bytes held by {@code c}. */
    void hold(Connection c, long bytes) {
        c.held.addAndGet(bytes);
        total.addAndGet(bytes);
    }

    /** Bytes held by every connection. */
    long totalHeld() {
        return total.get();
    }

    /** Why {@code c} must take no further request now, or null when it may. */
    Pause pause(Connection c) {
        long held = c.held.get();
        if (held >= limits.maxQueuedReplyBytes()) {
            return Pause.OWN;
        }
        if (held >= limits.largestReply() && total.get() >= limits.maxQueuedBytesTotal()) {
            return Pause.TOTAL;
        }
        return null;
    }

    /** Whether {@code c}, paused for {@code why}, may take requests again. */
    boolean mayResume(Connection c, Pause why) {
        long held = c.held.get();
        if (why == Pause.OWN) {
            return held <= limits.maxQueuedReplyBytes() / 2;
        }
        return held < limits.largestReply() || total.get() < limits.maxQueuedBytesTotal() / 4 * 3;
    }

    /**
     * Hands a lookup to a worker, holding {@code worstReply} bytes for it until its reply is
     * queued (then the reply's own size). False when refused (outstanding limit, work queue): the
     * caller answers TRYAGAIN.
     */
    boolean submit(Connection c, Frame request, int replyOp, int worstReply, Callable<byte[]> lookup, byte[] tryAgain, long readAt) {
        if (c.outstanding.get() >= limits.maxOutstanding()) {
            stats.increment("tryagain_outstanding");
            return false;
        }
        int id = request.id();
        c.outstanding.incrementAndGet();
        inProgress.incrementAndGet();
        hold(c, worstReply);
        boolean queued = work.offer(c.source, () -> {
            byte[] payload;
            try {
                payload = lookup.call();
            } catch (Exception | LinkageError e) {
                stats.increment("tryagain_backend_error");
                warnBackend(e);
                payload = tryAgain;
            }
            stats.requestDuration().record(System.nanoTime() - readAt); // from the request read to its answer
            c.outstanding.decrementAndGet();
            c.answered(Frame.encode(replyOp, id, payload), worstReply);
            inProgress.decrementAndGet();
        });
        if (!queued) {
            c.outstanding.decrementAndGet();
            inProgress.decrementAndGet();
            hold(c, -worstReply);
            stats.increment("tryagain_work_queue");
        }
        return queued;
    }

    private void warnBackend(Throwable e) {
        long now = System.nanoTime();
        long last = lastBackendWarning.get();
        if (now - last > TimeUnit.SECONDS.toNanos(10) && lastBackendWarning.compareAndSet(last, now)) {
            LOG.warn("katar: a lookup failed and was answered TRYAGAIN: {} (further failures for 10 s are only counted)", e.toString());
        }
    }

    /** Lookups handed to workers and not yet answered. */
    int inProgress() {
        return inProgress.get();
    }

    /** Lookups waiting for a worker. */
    int queued() {
        return work.queued();
    }

    @Override
    public void close() {
        work.close(2000);
    }
}
