package org.overlaygate.invalidation.shootdown;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.invalidation.InvalidationContext;
import org.overlaygate.api.invalidation.InvalidationInstance;

/**
 * SHOOTDOWN for one overlay. The data path reports a unicast frame for a MAC that is not here,
 * with its sender (already rate-limited per sender and MAC); this sends SHOOTDOWN(mac, vnet) to the
 * sender's SHOOTDOWN port, at most once per 250 ms per (sender, MAC) here too. A SHOOTDOWN received
 * for this overlay's vnet, from the host the cache holds for the MAC or a configured peer, forgets
 * the MAC in its target cache (never an operator's entry, never one frames wait on), so the next
 * frame to it is looked up afresh; at most {@code shootdown/max_rate} a second (bursts as large),
 * so a flood of valid-looking datagrams cannot empty the cache faster than that.
 */
final class Shootdown implements InvalidationInstance, ShootdownSocket.Receiver {
    static final String SENT = "shootdowns_sent";
    static final String UNSENT = "shootdowns_unsent";
    static final String SUPPRESSED = "shootdowns_suppressed";
    static final String APPLIED = "shootdowns_applied";
    static final String RATE_LIMITED = "shootdown_dropped_rate";
    static final String UNKNOWN_SENDER = "shootdown_dropped_unknown_sender";
    static final String OPERATOR_ENTRY = "shootdown_dropped_operator_entry";
    static final String PENDING = "shootdown_dropped_pending";
    static final String NOT_CACHED = "shootdown_dropped_not_cached";
    private static final long RESEND_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int REMEMBERED = 4096;
    private static final long RETRY_BIND_SECONDS = 5;

    private final InvalidationContext context;
    private final ShootdownPlugin plugin;
    private final int port;
    private final TokenBucket applied;
    private final Map<String, Long> lastSent = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    private volatile ShootdownSocket socket;
    private volatile boolean stopped;
    private ScheduledFuture<?> retry;

    Shootdown(InvalidationContext context, ShootdownPlugin plugin, int port, int maxRate) {
        this.context = context;
        this.plugin = plugin;
        this.port = port;
        this.applied = new TokenBucket(maxRate, maxRate);
    }

    /**
     * Listens on the overlay's underlay address. A port that cannot be bound degrades the overlay
     * with the reason and is tried again every 5 s.
     *
     * @throws IllegalStateException when the overlay's underlay address is not known yet
     */
    @Override
    public void start() {
        UnderlayAddress self = context.underlayAddress();
        if (self == null) {
            throw new IllegalStateException("the overlay's underlay address is not known yet (its encapsulation is not bound)");
        }
        InetSocketAddress at = new InetSocketAddress(self.address(), port);
        if (!bind(at)) {
            retry = context.scheduler().scheduleWithFixedDelay(() -> {
                if (bind(at)) {
                    cancelRetry();
                }
            }, RETRY_BIND_SECONDS, RETRY_BIND_SECONDS, TimeUnit.SECONDS);
        }
    }

    private synchronized boolean bind(InetSocketAddress at) {
        if (stopped || socket != null) {
            return true;
        }
        try {
            ShootdownSocket s = plugin.acquire(at);
            s.register(context.vnetId(), this);
            socket = s;
            context.restore();
            return true;
        } catch (IOException | RuntimeException e) {
            context.degrade("cannot listen for SHOOTDOWN on " + UnderlayAddress.of(at.getAddress(), at.getPort()) + ": " + e.getMessage());
            return false;
        }
    }

    private synchronized void cancelRetry() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    @Override
    public void stop() {
        ShootdownSocket s;
        synchronized (this) {
            stopped = true;
            cancelRetry();
            s = socket;
            socket = null;
        }
        if (s != null) {
            s.unregister(context.vnetId(), this);
            plugin.release(s);
        }
    }

    @Override
    public void sendInvalidation(long vnetId, long mac, InetAddress sender) {
        ShootdownSocket s = socket;
        if (s == null) {
            context.count(UNSENT);
            return;
        }
        String key = sender.getHostAddress() + "/" + mac;
        long now = System.nanoTime();
        synchronized (lastSent) {
            Long last = lastSent.get(key);
            if (last != null && now - last < RESEND_NANOS) {
                context.count(SUPPRESSED);
                return;
            }
            lastSent.put(key, now);
        }
        context.count(s.send(vnetId, mac, new InetSocketAddress(sender, port)) ? SENT : UNSENT);
    }

    /**
     * A valid SHOOTDOWN for this overlay's vnet from {@code from}. Anyone on the underlay can send
     * one, so it is believed only from a host the overlay knows for that MAC (the address its cache
     * holds for it, a configured peer), and never removes an operator's entry or one that frames
     * wait on (the core decides, under the entry's lock). A refused one is counted by its reason
     * and costs no token of the rate, so forgeries cannot hold back true SHOOTDOWNs.
     */
    @Override
    public void shotDown(long mac, SocketAddress from) {
        if (!(from instanceof InetSocketAddress)) {
            context.count(UNKNOWN_SENDER);
            return;
        }
        InetAddress sender = ((InetSocketAddress) from).getAddress();
        long now = System.nanoTime();
        if (!applied.take(now)) {
            context.count(RATE_LIMITED);
            return;
        }
        InvalidationContext.Outcome outcome = context.invalidated(mac, sender);
        if (outcome != InvalidationContext.Outcome.APPLIED) {
            applied.giveBack();
        }
        switch (outcome) {
            case APPLIED:
                context.count(APPLIED);
                break;
            case UNKNOWN_SENDER:
                context.count(UNKNOWN_SENDER);
                break;
            case OPERATOR_ENTRY:
                context.count(OPERATOR_ENTRY);
                break;
            case PENDING:
                context.count(PENDING);
                break;
            case NOT_CACHED:
                context.count(NOT_CACHED);
                break;
            default:
                break; // stopped, or no device: nothing to count on
        }
    }

    @Override
    public void count(String event) {
        context.count(event);
    }

    /** At most {@code rate} a second on average, bursts of {@code burst}. */
    static final class TokenBucket {
        private final double perNano;
        private final double burst;
        private double tokens;
        private long at = System.nanoTime();

        TokenBucket(int rate, int burst) {
            this.perNano = rate / 1e9;
            this.burst = burst;
            this.tokens = burst;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(burst, tokens + (now - at) * perNano);
            at = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        /** Returns the token of a {@link #take} that turned out to do nothing. */
        synchronized void giveBack() {
            tokens = Math.min(burst, tokens + 1);
        }
    }
}
