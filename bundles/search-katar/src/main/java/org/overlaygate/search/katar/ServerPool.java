package org.overlaygate.search.katar;

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
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one katar server name ({@code katar/host}, {@code katar/port}), shared by
 * every overlay that names it. It resolves the name (again every 30 s) and keeps one
 * {@link KatarConnection} per address it resolves to; the {@link RequestRouter} sends requests
 * over them; {@link Reachability} tells the overlays when the server becomes reachable and when it
 * no longer is; the host's {@link LogPoller}s and what is known of BULK hang off it too.
 *
 * <p>Threads: resolving the name and connecting block (DNS, the TCP connect timeout), so they run
 * on the plugin's blocking executor; the timer ({@link #timer()}) only schedules them, and runs the
 * timeout sweep, retries and log polls, which never wait for the network. Replies arrive on each
 * connection's reader thread. Nothing here blocks a caller.
 */
final class ServerPool implements AutoCloseable, KatarConnection.Events {
    private static final Logger LOG = LoggerFactory.getLogger(ServerPool.class);
    private static final long SWEEP_MS = 250;

    /** Told when the server becomes reachable or stops being so. */
    interface Listener extends Reachability.Listener {
    }

    /** Resolves a server name to its addresses (every address a DNS name has). */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    final String host;
    final int port;
    /** {@code host:port}, as the operator wrote it. */
    final String label;
    private final ClientSettings settings;
    private final Resolver resolver;
    private final ScheduledExecutorService timer;
    private final Executor blocking;
    private final BulkSupport bulk;
    private final Map<InetAddress, KatarConnection> connections = new ConcurrentHashMap<>();
    private final RequestRouter router;
    private final Reachability reach;
    private final Map<InetAddress, LogPoller> pollers = new ConcurrentHashMap<>();
    private final AtomicBoolean resolving = new AtomicBoolean();
    private final LongAdder connects = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private volatile boolean resolveFailed;
    private volatile boolean closed;
    private ScheduledFuture<?> resolveTask;
    private ScheduledFuture<?> sweepTask;

    /** With one executor for timers and blocking work alike (tests that run it inline). */
    ServerPool(String host, int port, ClientSettings settings, Resolver resolver, ScheduledExecutorService executor) {
        this(host, port, settings, resolver, executor, executor, new BulkSupport());
    }

    ServerPool(String host, int port, ClientSettings settings, Resolver resolver, ScheduledExecutorService timer, Executor blocking,
            BulkSupport bulk) {
        this.host = host;
        this.port = port;
        this.label = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        this.settings = settings;
        this.resolver = resolver;
        this.timer = timer;
        this.blocking = blocking;
        this.bulk = bulk;
        this.router = new RequestRouter(settings, connections::values);
        this.reach = new Reachability(label, new Reachability.Connections() {
            @Override
            public boolean anyUp() {
                return reachable();
            }

            @Override
            public boolean allFailed() {
                return resolveFailed && connections.isEmpty()
                        || !connections.isEmpty() && connections.values().stream().allMatch(KatarConnection::tried);
            }
        });
    }

    ServerPool start() {
        resolveTask = timer.scheduleWithFixedDelay(() -> blocking.execute(this::resolve), 0, settings.resolveEveryMs(),
                TimeUnit.MILLISECONDS);
        sweepTask = timer.scheduleWithFixedDelay(router::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    ClientSettings settings() {
        return settings;
    }

    /** The timer: short tasks that never wait for the network (retries, timeouts, log polls). */
    ScheduledExecutorService timer() {
        return timer;
    }

    // ---------------------------------------------------------------- the name and its connections

    /** Resolves the name and brings the connections in line with its addresses (on the blocking executor). */
    private void resolve() {
        if (closed || !resolving.compareAndSet(false, true)) {
            return; // a slow name server: the previous resolution is still under way
        }
        try {
            resolveNow();
        } finally {
            resolving.set(false);
        }
    }

    private void resolveNow() {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | RuntimeException e) {
            resolveFailed = true;
            reach.error("cannot resolve " + host + (e.getMessage() == null || e.getMessage().equals(host) ? "" : ": " + e.getMessage()));
            reach.update();
            return; // keep what we have: a name server hiccup is no reason to drop working connections
        }
        resolveFailed = false;
        Set<InetAddress> now = new HashSet<>(Arrays.asList(addresses));
        for (InetAddress a : now) {
            if (connections.containsKey(a) || closed) {
                continue;
            }
            // In the map before it connects: once up, the connection hands the waiting requests to
            // the router, which only sees connections in the map. Connected first (a thread can
            // connect on loopback before this one goes on), they would all go back to waiting,
            // with nothing to send them until some other request completes.
            KatarConnection c = new KatarConnection(new InetSocketAddress(a, port), label, settings, timer, blocking, this);
            connections.put(a, c);
            c.start();
        }
        for (Iterator<Map.Entry<InetAddress, KatarConnection>> it = connections.entrySet().iterator(); it.hasNext();) {
            Map.Entry<InetAddress, KatarConnection> e = it.next();
            if (!now.contains(e.getKey())) {
                it.remove();
                LOG.info("katar server {}: {} is no longer one of its addresses", label, e.getKey().getHostAddress());
                e.getValue().retire();
            }
        }
        reach.update();
    }

    @Override
    public void connected(KatarConnection c, boolean reconnect) {
        if (closed) {
            c.retire();
            return;
        }
        connects.increment();
        if (reconnect) {
            reconnects.increment();
        }
        reach.update();
        router.connectionUp();
        pollers.values().forEach(LogPoller::connected);
    }

    @Override
    public void lost(KatarConnection c, String why) {
        disconnects.increment();
        reach.error(why);
        reach.update();
    }

    @Override
    public void connectFailed(KatarConnection c, String why) {
        connectFailures.increment();
        reach.error(why);
        reach.update();
    }

    /** True while at least one connection is up. */
    boolean reachable() {
        for (KatarConnection c : connections.values()) {
            if (c.up()) {
                return true;
            }
        }
        return false;
    }

    /** The connections up now. */
    List<KatarConnection> upConnections() {
        List<KatarConnection> up = new ArrayList<>();
        for (KatarConnection c : connections.values()) {
            if (c.up()) {
                up.add(c);
            }
        }
        return up;
    }

    void addListener(Listener l) {
        reach.addListener(l);
    }

    void removeListener(Listener l) {
        reach.removeListener(l);
    }

    // ---------------------------------------------------------------- requests

    /** Sends a request on a healthy connection, or holds it until one is up. */
    void submit(Request r) {
        router.submit(r);
    }

    /** Sends a request on one connection only (BULK pages stay on the server that began them); fails it if that one is down. */
    void sendOn(KatarConnection c, Request r) {
        router.sendOn(c, r);
    }

    /** A reply that breaks the protocol: counted, and its connection closed (it reconnects). */
    void reject(Request r, String why) {
        router.reject(r, why);
    }

    /** When the last completed timeout sweep looked at the requests in flight (System.nanoTime). */
    long lastSweepNanos() {
        return router.lastSweepNanos();
    }

    // ---------------------------------------------------------------- BULK support, log pollers

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
        s.put("connections_up", connections.values().stream().filter(KatarConnection::up).count());
        s.put("connects", connects.sum());
        s.put("reconnects", reconnects.sum());
        s.put("connect_failures", connectFailures.sum());
        s.put("disconnects", disconnects.sum());
        router.stats(s);
        return s;
    }

    @Override
    public void close() {
        closed = true;
        reach.close();
        if (resolveTask != null) {
            resolveTask.cancel(false);
            sweepTask.cancel(false);
        }
        pollers.values().forEach(LogPoller::close);
        connections.values().forEach(KatarConnection::retire);
        connections.clear();
        router.close();
    }

    @Override
    public String toString() {
        return "katar server " + label;
    }
}
