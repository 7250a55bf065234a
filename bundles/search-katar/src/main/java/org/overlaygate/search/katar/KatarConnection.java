package org.overlaygate.search.katar;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.overlaygate.katar.client.KatarClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to one address of a katar server name, reconnecting with jittered backoff
 * from 1 to 32 s until retired. The connect itself blocks (up to the connect timeout), so it runs
 * on the plugin's blocking executor, never on the timer that runs request timeouts; the timer
 * only schedules the next attempt. Its owner hears of each connect, loss and failed attempt.
 */
final class KatarConnection {
    private static final Logger LOG = LoggerFactory.getLogger(KatarConnection.class);
    /** A connection that stayed up this long resets the backoff; one closed sooner keeps growing it. */
    private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What the owner (the {@link ServerPool}) hears; called on the connecting or the reader thread. */
    interface Events {
        void connected(KatarConnection c, boolean reconnect);

        void lost(KatarConnection c, String why);

        void connectFailed(KatarConnection c, String why);
    }

    final InetSocketAddress address;
    private final String label;
    private final ClientSettings settings;
    private final ScheduledExecutorService timer;
    private final Executor blocking;
    private final Events events;
    private volatile KatarClient client;
    private long backoffMs;
    private long connectedAt;
    private boolean tried;
    private boolean everConnected;
    private volatile boolean retired;
    /** The client this side closed last (a timeout, a retired address): its requests were not lost to the server. */
    private volatile KatarClient closedByUs;
    private ScheduledFuture<?> retry;

    KatarConnection(InetSocketAddress address, String label, ClientSettings settings, ScheduledExecutorService timer, Executor blocking,
            Events events) {
        this.address = address;
        this.label = label;
        this.settings = settings;
        this.timer = timer;
        this.blocking = blocking;
        this.events = events;
        this.backoffMs = settings.backoffMinMs();
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

    /** Connects on the blocking executor. */
    void start() {
        blocking.execute(this::connect);
    }

    private void connect() {
        if (retired) {
            return;
        }
        KatarClient c;
        try {
            c = KatarClient.connect(address, settings.connectTimeoutMs(), KatarClient.DEFAULT_MAX_REPLY, settings.maxOutstanding() + 8);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                tried = true;
            }
            scheduleRetry();
            events.connectFailed(this, address + ": " + message(e));
            return;
        }
        boolean reconnect;
        synchronized (this) {
            if (retired) {
                c.close();
                return;
            }
            client = c;
            tried = true;
            connectedAt = System.nanoTime();
            reconnect = everConnected;
            everConnected = true;
        }
        LOG.info("katar server {} connected at {}", label, address);
        c.closed().thenRun(() -> onClosed(c));
        events.connected(this, reconnect);
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
        Throwable why = c.failure();
        String reason = why == null ? "closed" : message(why);
        if (!retired) {
            LOG.warn("katar server {} at {}: connection lost ({}); reconnecting", label, address, reason);
            scheduleRetry();
        }
        events.lost(this, address + ": " + reason);
    }

    private synchronized void scheduleRetry() {
        if (retired) {
            return;
        }
        long delay = (long) (backoffMs * (0.75 + 0.5 * ThreadLocalRandom.current().nextDouble()));
        backoffMs = Math.min(backoffMs * 2, settings.backoffMaxMs());
        retry = timer.schedule(this::start, delay, TimeUnit.MILLISECONDS); // the timer only hands the connect over
    }

    /** Whether its last attempt ended; a client closed but not yet handled by onClosed is still in flux. */
    synchronized boolean tried() {
        KatarClient c = client;
        return tried && (c == null || c.isOpen());
    }

    /** For good: no reconnect. */
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
        return closedByUs == k || retired;
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

    static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
