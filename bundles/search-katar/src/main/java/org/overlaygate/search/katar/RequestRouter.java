package org.overlaygate.search.katar;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.overlaygate.katar.client.KatarClient;
import org.overlaygate.katar.client.KatarException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a katar request goes: round-robin over the usable connections of one server name; held
 * while none is (bounded; a newer request for the same thing replaces an older one) and sent as
 * soon as one is; sent again on another connection when its own closed before an answer (three
 * tries at most; never a request marked {@link Request#once}); and a connection whose oldest
 * request went unanswered for the request timeout torn down (the timeout sweep). Nothing here
 * blocks: sending is a write on a connected socket.
 */
final class RequestRouter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestRouter.class);
    private static final int MAX_ATTEMPTS = 3;

    private final ClientSettings settings;
    private final Supplier<Collection<KatarConnection>> connections;
    private final Map<Object, Request> waiting = new LinkedHashMap<>();
    private volatile int waitingCount;
    private final Set<Request> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder resent = new LongAdder();
    private final LongAdder givenUp = new LongAdder();
    private volatile boolean closed;
    /** When the last completed timeout sweep began (System.nanoTime), for tests that wait for one. */
    private volatile long lastSweepNanos = Long.MIN_VALUE;

    RequestRouter(ClientSettings settings, Supplier<Collection<KatarConnection>> connections) {
        this.settings = settings;
        this.connections = connections;
    }

    /** Sends a request on a healthy connection, or holds it until one is up. */
    void submit(Request r) {
        if (closed) {
            r.fail("the katar client is closed", false);
            return;
        }
        KatarConnection c = pick();
        if (c == null) {
            hold(r);
            return;
        }
        send(c, r);
    }

    /** Sends a request on one connection only (BULK pages stay on the server that began them); fails it if that one is down. */
    void sendOn(KatarConnection c, Request r) {
        if (closed || !c.up()) {
            r.fail("the connection to " + c + " is down", false);
            return;
        }
        send(c, r);
    }

    private KatarConnection pick() {
        List<KatarConnection> usable = new ArrayList<>();
        for (KatarConnection c : connections.get()) {
            if (c.usable()) {
                usable.add(c);
            }
        }
        if (usable.isEmpty()) {
            return null;
        }
        return usable.get(Math.floorMod(next.getAndIncrement(), usable.size()));
    }

    private void send(KatarConnection c, Request r) {
        KatarClient k = c.client();
        if (k == null) {
            hold(r);
            return;
        }
        r.attempts++;
        r.sentOn = c;
        r.sentAtNanos = System.nanoTime();
        inFlight.add(r);
        k.request(r.op, r.payload).whenComplete((frame, error) -> {
            inFlight.remove(r);
            if (error == null) {
                try {
                    r.complete(frame);
                } catch (RuntimeException e) {
                    LOG.warn("katar: handling a reply failed", e);
                }
            } else {
                failedOn(c, k, r, error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error);
            }
            if (waitingCount > 0) {
                drainWaiting(1); // room on a connection that was full
            }
        });
    }

    private void failedOn(KatarConnection c, KatarClient client, Request r, Throwable error) {
        if (error instanceof KatarException k && k.status() >= 0) {
            r.fail(c + " refused it: " + KatarConnection.message(k), true); // it answered: another server would too
            return;
        }
        if (r.once) {
            r.lostWithConnection = !closed && !c.closedByUs(client);
            r.fail("its connection to " + c + " closed before an answer: " + KatarConnection.message(error), false);
            return;
        }
        if (r.attempts >= MAX_ATTEMPTS) {
            givenUp.increment();
            r.fail("no answer after " + r.attempts + " tries: " + KatarConnection.message(error), false);
            return;
        }
        resent.increment();
        submit(r);
    }

    private void hold(Request r) {
        if (r.once) {
            r.fail("no connection to send it on", false);
            return;
        }
        Request dropped = null;
        Request replaced;
        synchronized (waiting) {
            Object key = r.waitKey != null ? r.waitKey : r;
            replaced = waiting.put(key, r);
            if (replaced == null && waiting.size() > settings.maxWaiting()) {
                Iterator<Request> oldest = waiting.values().iterator();
                dropped = oldest.next();
                oldest.remove();
            }
            waitingCount = waiting.size();
        }
        if (replaced != null && replaced != r) {
            replaced.fail("replaced by a newer request", false);
        }
        if (dropped != null) {
            givenUp.increment();
            dropped.fail(settings.maxWaiting() + " requests already wait for a katar server", false);
        }
        if (pick() != null) {
            drainWaiting(Integer.MAX_VALUE); // a connection came up meanwhile
        }
    }

    /** A connection came up: the waiting requests go out. */
    void connectionUp() {
        drainWaiting(Integer.MAX_VALUE);
    }

    /** Submits up to {@code max} of the oldest waiting requests. */
    private void drainWaiting(int max) {
        List<Request> out = new ArrayList<>();
        synchronized (waiting) {
            for (Iterator<Request> it = waiting.values().iterator(); it.hasNext() && out.size() < max;) {
                out.add(it.next());
                it.remove();
            }
            waitingCount = waiting.size();
        }
        for (Request r : out) {
            submit(r);
        }
    }

    /** A reply that breaks the protocol: counted, and its connection closed (it reconnects). */
    void reject(Request r, String why) {
        malformed.increment();
        KatarConnection c = r.sentOn;
        if (c != null) {
            c.tearDown("bad " + why);
        }
    }

    /** Tears down connections whose oldest request went unanswered too long. */
    void sweep() {
        long now = System.nanoTime();
        try {
            long limit = TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
            Set<KatarConnection> stuck = new HashSet<>();
            for (Request r : inFlight) {
                if (!r.timeoutExempt && !r.isDone() && now - r.sentAtNanos > limit && r.sentOn != null) {
                    stuck.add(r.sentOn);
                }
            }
            for (KatarConnection c : stuck) {
                timeouts.increment();
                c.tearDown("a request went unanswered for " + settings.requestTimeoutMs() + " ms");
            }
        } finally {
            lastSweepNanos = now;
        }
    }

    /** When the last completed timeout sweep looked at the requests in flight (System.nanoTime). */
    long lastSweepNanos() {
        return lastSweepNanos;
    }

    void stats(Map<String, Long> s) {
        s.put("request_timeouts", timeouts.sum());
        s.put("replies_malformed", malformed.sum());
        s.put("requests_resent", resent.sum());
        s.put("requests_given_up", givenUp.sum());
        synchronized (waiting) {
            s.put("requests_waiting", (long) waiting.size());
        }
    }

    /** Fails every waiting request; what comes later is failed at once. */
    void close() {
        closed = true;
        List<Request> out;
        synchronized (waiting) {
            out = new ArrayList<>(waiting.values());
            waiting.clear();
            waitingCount = 0;
        }
        out.forEach(r -> r.fail("the katar client is closed", false));
    }
}
