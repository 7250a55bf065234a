package org.overlaygate.search.katar;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.overlaygate.katar.client.KatarClient;
import org.overlaygate.katar.client.KatarException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one katar server name ({@code katar/host}, {@code katar/port}), shared by
 * every overlay that names it: one TCP connection per address the name resolves to (again every
 * 30 s), requests spread round-robin over the healthy ones, reconnects with jittered backoff from
 * 1 to 32 s. A request unanswered for 30 s tears its connection down; the requests that were
 * outstanding on a closed connection are sent again on another one (three tries at most). While no
 * connection is up, requests wait (bounded; a newer request for the same thing replaces an older
 * one) and go out as soon as one is. Listeners hear when the server becomes reachable and when it
 * no longer is (every address tried and failed, or the name does not resolve).
 *
 * <p>Threads: connects, resolution and the timeout sweep run on the plugin's executor; replies
 * arrive on each connection's reader thread ({@link KatarClient}). Nothing here blocks a caller.
 */
final class ServerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerPool.class);
    private static final int MAX_ATTEMPTS = 3;
    private static final long SWEEP_MS = 250;
    /** A connection that stayed up this long resets the backoff; one closed sooner keeps growing it. */
    private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Told when the server becomes reachable or stops being so; called on pool threads. */
    interface Listener {
        void reachable();

        void unreachable(String reason);
    }

    /** Resolves a server name to its addresses (every address a DNS name has). */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private enum Reach {
        UNKNOWN, UP, DOWN
    }

    final String host;
    final int port;
    /** {@code host:port}, as the operator wrote it. */
    final String label;
    private final ClientSettings settings;
    private final Resolver resolver;
    private final ScheduledExecutorService executor;
    private final Map<InetAddress, Connection> connections = new ConcurrentHashMap<>();
    private final Map<Object, Request> waiting = new LinkedHashMap<>();
    private volatile int waitingCount;
    private final Set<Request> inFlight = ConcurrentHashMap.newKeySet();
    private final List<Told> listeners = new CopyOnWriteArrayList<>();
    private final BulkSupport bulk;
    private final Map<InetAddress, LogPoller> pollers = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder connects = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder resent = new LongAdder();
    private final LongAdder givenUp = new LongAdder();
    private Reach reach = Reach.UNKNOWN;
    private volatile String lastError = "not tried yet";
    private volatile boolean resolveFailed;
    private volatile boolean closed;
    private ScheduledFuture<?> resolveTask;
    private ScheduledFuture<?> sweepTask;
    /** When the last completed timeout sweep began (System.nanoTime), for tests that wait for one. */
    private volatile long lastSweepNanos = Long.MIN_VALUE;

    ServerPool(String host, int port, ClientSettings settings, Resolver resolver, ScheduledExecutorService executor) {
        this(host, port, settings, resolver, executor, new BulkSupport());
    }

    ServerPool(String host, int port, ClientSettings settings, Resolver resolver, ScheduledExecutorService executor, BulkSupport bulk) {
        this.bulk = bulk;
        this.host = host;
        this.port = port;
        this.label = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        this.settings = settings;
        this.resolver = resolver;
        this.executor = executor;
    }

    ServerPool start() {
        resolveTask = executor.scheduleWithFixedDelay(this::resolve, 0, settings.resolveEveryMs(), TimeUnit.MILLISECONDS);
        sweepTask = executor.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    ClientSettings settings() {
        return settings;
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    // ---------------------------------------------------------------- connections

    /** One TCP connection to one address of the name, reconnecting until retired. */
    final class Connection {
        final InetSocketAddress address;
        private volatile KatarClient client;
        private long backoffMs = settings.backoffMinMs();
        private long connectedAt;
        private boolean tried;
        private boolean everConnected;
        private volatile boolean retired;
        /** The client this side closed last (a timeout, a retired address): its requests were not lost to the server. */
        private volatile KatarClient closedByUs;
        private ScheduledFuture<?> retry;

        Connection(InetSocketAddress address) {
            this.address = address;
        }

        /** Up, open and with room for another request. */
        boolean usable() {
            KatarClient c = client;
            return c != null && c.isOpen() && c.outstanding() < settings.maxOutstanding();
        }

        boolean up() {
            KatarClient c = client;
            return c != null && c.isOpen();
        }

        KatarClient client() {
            return client;
        }

        void connect() {
            if (retired || closed) {
                return;
            }
            KatarClient c;
            try {
                c = KatarClient.connect(address, settings.connectTimeoutMs(), KatarClient.DEFAULT_MAX_REPLY, settings.maxOutstanding() + 8);
            } catch (IOException | RuntimeException e) {
                connectFailures.increment();
                lastError = address + ": " + message(e);
                synchronized (this) {
                    tried = true;
                }
                scheduleRetry();
                updateReach();
                return;
            }
            synchronized (this) {
                if (retired || closed) {
                    c.close();
                    return;
                }
                client = c;
                tried = true;
                connectedAt = System.nanoTime();
                if (everConnected) {
                    reconnects.increment();
                }
                everConnected = true;
            }
            connects.increment();
            LOG.info("katar server {} connected at {}", label, address);
            c.closed().thenRun(() -> onClosed(c));
            updateReach();
            drainWaiting(Integer.MAX_VALUE);
            pollers.values().forEach(LogPoller::connected);
        }

        private void onClosed(KatarClient c) {
            synchronized (this) {
                if (client != c) {
                    return;
                }
                client = null;
                tried = false; // unreachable only once a reconnect has failed too: a torn-down connection that comes back is no outage
                if (System.nanoTime() - connectedAt > STABLE_NANOS) {
                    backoffMs = settings.backoffMinMs();
                }
            }
            disconnects.increment();
            Throwable why = c.failure();
            lastError = address + ": " + (why == null ? "closed" : message(why));
            if (!retired && !closed) {
                LOG.warn("katar server {} at {}: connection lost ({}); reconnecting", label, address, why == null ? "closed" : message(why));
                scheduleRetry();
            }
            updateReach();
        }

        private synchronized void scheduleRetry() {
            if (retired || closed) {
                return;
            }
            long delay = (long) (backoffMs * (0.75 + 0.5 * ThreadLocalRandom.current().nextDouble()));
            backoffMs = Math.min(backoffMs * 2, settings.backoffMaxMs());
            retry = executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }

        /** Whether its last attempt ended; a client closed but not yet handled by onClosed is still in flux. */
        synchronized boolean tried() {
            KatarClient c = client;
            return tried && (c == null || c.isOpen());
        }

        void retire() {
            KatarClient c;
            synchronized (this) {
                retired = true;
                if (retry != null) {
                    retry.cancel(false);
                }
                c = client;
                closedByUs = c;
            }
            if (c != null) {
                c.close();
            }
        }

        /** Whether {@code k} was closed by this side rather than by the server. */
        boolean closedByUs(KatarClient k) {
            return closedByUs == k || retired || closed;
        }

        /** Closes the connection (its outstanding requests go elsewhere); it reconnects after its backoff. */
        void tearDown(String why) {
            KatarClient c = client;
            if (c != null) {
                LOG.warn("katar server {} at {}: {}; closing the connection", label, address, why);
                closedByUs = c;
                c.close();
            }
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Resolves the name and brings the connections in line with its addresses. */
    private void resolve() {
        if (closed) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | RuntimeException e) {
            resolveFailed = true;
            lastError = "cannot resolve " + host + (e.getMessage() == null || e.getMessage().equals(host) ? "" : ": " + e.getMessage());
            updateReach();
            return; // keep what we have: a name server hiccup is no reason to drop working connections
        }
        resolveFailed = false;
        Set<InetAddress> now = new HashSet<>(Arrays.asList(addresses));
        for (InetAddress a : now) {
            if (connections.containsKey(a)) {
                continue;
            }
            // In the map before it connects: once up, the connection hands the waiting requests to
            // pick(), which only sees connections in the map. Connected first (a pool thread can
            // connect on loopback before this one goes on), they would all go back to waiting,
            // with nothing to send them until some other request completes.
            Connection c = new Connection(new InetSocketAddress(a, port));
            connections.put(a, c);
            executor.execute(c::connect);
        }
        for (Iterator<Map.Entry<InetAddress, Connection>> it = connections.entrySet().iterator(); it.hasNext();) {
            Map.Entry<InetAddress, Connection> e = it.next();
            if (!now.contains(e.getKey())) {
                it.remove();
                LOG.info("katar server {}: {} is no longer one of its addresses", label, e.getKey().getHostAddress());
                e.getValue().retire();
            }
        }
        updateReach();
    }

    /** Tears down connections whose oldest request went unanswered too long. */
    private void sweep() {
        long now = System.nanoTime();
        try {
            sweepAt(now);
        } finally {
            lastSweepNanos = now;
        }
    }

    private void sweepAt(long now) {
        long limit = TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
        Set<Connection> stuck = new HashSet<>();
        for (Request r : inFlight) {
            if (!r.timeoutExempt && !r.isDone() && now - r.sentAtNanos > limit && r.sentOn != null) {
                stuck.add(r.sentOn);
            }
        }
        for (Connection c : stuck) {
            timeouts.increment();
            c.tearDown("a request went unanswered for " + settings.requestTimeoutMs() + " ms");
        }
    }

    /** When the last completed timeout sweep looked at the requests in flight (System.nanoTime). */
    long lastSweepNanos() {
        return lastSweepNanos;
    }

    // ---------------------------------------------------------------- reachability

    void addListener(Listener l) {
        listeners.add(new Told(l));
        tell();
    }

    void removeListener(Listener l) {
        listeners.removeIf(t -> t.listener == l);
    }

    /** A listener and what it was last told. */
    private static final class Told {
        final Listener listener;
        Reach told = Reach.UNKNOWN;

        Told(Listener listener) {
            this.listener = listener;
        }
    }

    /**
     * Tells every listener the current reachability unless it was told already: each hears each
     * change once, in order, and never a state that is no longer true (one thread at a time).
     */
    private void tell() {
        synchronized (listeners) {
            Reach now;
            synchronized (this) {
                now = reach;
            }
            if (now == Reach.UNKNOWN || closed) {
                return;
            }
            for (Told t : listeners) {
                if (t.told != now) {
                    t.told = now;
                    if (now == Reach.UP) {
                        t.listener.reachable();
                    } else {
                        t.listener.unreachable(lastError);
                    }
                }
            }
        }
    }

    /** True while at least one connection is up. */
    boolean reachable() {
        for (Connection c : connections.values()) {
            if (c.up()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Recomputes reachability and tells the listeners if it changed. Computed under the pool's
     * lock: the resolve thread and a connect thread both call this at start, and a view computed
     * before the connect completed (not up, yet tried by the time it is read) must not overwrite
     * the newer UP — it left an overlay DEGRADED ("not tried yet") until the next resolve, 30 s on.
     * Lock order: the pool, then a connection.
     */
    private void updateReach() {
        synchronized (this) {
            boolean up = reachable();
            boolean down = !up && (resolveFailed && connections.isEmpty() || !connections.isEmpty()
                    && connections.values().stream().allMatch(Connection::tried));
            Reach before = reach;
            Reach now = up ? Reach.UP : down ? Reach.DOWN : before == Reach.UP ? Reach.UNKNOWN : before;
            if (now == before || now == Reach.UNKNOWN) {
                reach = now;
                return;
            }
            reach = now;
            if (now == Reach.UP) {
                LOG.info("katar server {} reachable", label);
            } else {
                LOG.warn("cannot reach any katar server at {}: {}", label, lastError);
            }
        }
        tell();
    }

    // ---------------------------------------------------------------- requests

    /** Sends a request on a healthy connection, or holds it until one is up. */
    void submit(Request r) {
        if (closed) {
            r.fail("the katar client is closed", false);
            return;
        }
        Connection c = pick();
        if (c == null) {
            hold(r);
            return;
        }
        send(c, r);
    }

    /** Sends a request on one connection only (BULK pages stay on the server that began them); fails it if that one is down. */
    void sendOn(Connection c, Request r) {
        if (closed || !c.up()) {
            r.fail("the connection to " + c + " is down", false);
            return;
        }
        send(c, r);
    }

    private Connection pick() {
        List<Connection> usable = new ArrayList<>(connections.size());
        for (Connection c : connections.values()) {
            if (c.usable()) {
                usable.add(c);
            }
        }
        if (usable.isEmpty()) {
            return null;
        }
        return usable.get(Math.floorMod(next.getAndIncrement(), usable.size()));
    }

    private void send(Connection c, Request r) {
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

    private void failedOn(Connection c, KatarClient client, Request r, Throwable error) {
        if (error instanceof KatarException k && k.status() >= 0) {
            r.fail(c + " refused it: " + message(k), true); // it answered: another server would too
            return;
        }
        if (r.once) {
            r.lostWithConnection = !c.closedByUs(client);
            r.fail("its connection to " + c + " closed before an answer: " + message(error), false);
            return;
        }
        if (r.attempts >= MAX_ATTEMPTS) {
            givenUp.increment();
            r.fail("no answer after " + r.attempts + " tries: " + message(error), false);
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
        Connection c = r.sentOn;
        if (c != null) {
            c.tearDown("bad " + why);
        }
    }

    // ---------------------------------------------------------------- BULK support, log pollers

    /** The connections up now. */
    List<Connection> upConnections() {
        List<Connection> up = new ArrayList<>();
        for (Connection c : connections.values()) {
            if (c.up()) {
                up.add(c);
            }
        }
        return up;
    }

    /** What the plugin knows of its servers' BULK support (shared by every pool, kept across restarts). */
    BulkSupport bulk() {
        return bulk;
    }

    /** The log poller of this host's underlay address, made on first use. */
    LogPoller poller(InetAddress underlay) {
        return pollers.computeIfAbsent(underlay, a -> new LogPoller(this, a));
    }

    /** Forgets a poller that no overlay uses any more. */
    void dropPoller(LogPoller p) {
        pollers.remove(p.underlay(), p);
    }

    // ---------------------------------------------------------------- statistics, life cycle

    /** The pool's counters, for each overlay's statistics. */
    Map<String, Long> stats() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("connections_up", connections.values().stream().filter(Connection::up).count());
        s.put("connects", connects.sum());
        s.put("reconnects", reconnects.sum());
        s.put("connect_failures", connectFailures.sum());
        s.put("disconnects", disconnects.sum());
        s.put("request_timeouts", timeouts.sum());
        s.put("replies_malformed", malformed.sum());
        s.put("requests_resent", resent.sum());
        s.put("requests_given_up", givenUp.sum());
        synchronized (waiting) {
            s.put("requests_waiting", (long) waiting.size());
        }
        return s;
    }

    @Override
    public void close() {
        closed = true;
        if (resolveTask != null) {
            resolveTask.cancel(false);
            sweepTask.cancel(false);
        }
        pollers.values().forEach(LogPoller::close);
        connections.values().forEach(Connection::retire);
        connections.clear();
        List<Request> out;
        synchronized (waiting) {
            out = new ArrayList<>(waiting.values());
            waiting.clear();
            waitingCount = 0;
        }
        out.forEach(r -> r.fail("the katar client is closed", false));
    }

    @Override
    public String toString() {
        return "katar server " + label;
    }
}
