package org.overlaygate.core.device;

import java.util.concurrent.atomic.AtomicInteger;

import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.core.base.Tally;

/**
 * One device's way up to varpd: its share of the data path's bounded upcall queue, and the rate
 * limits of the kinds that arrive with traffic. Nothing here waits: an upcall that does not fit is
 * dropped and counted as {@code upcall_dropped_<kind>} in the device's events. Misses are not
 * rate-limited (each needs a new PENDING entry, which the cache and pending bounds limit) but count
 * against the share like the rest, so one busy overlay cannot crowd out the others.
 */
final class UpcallChannel {
    static final String DROPPED_MISS = "upcall_dropped_miss";
    static final String DROPPED_LEARNED = "upcall_dropped_learned";
    static final String DROPPED_NOT_HERE = "upcall_dropped_not_here";
    static final String DROPPED_ADDRESS_REQUEST = "upcall_dropped_address_request";

    private final DeviceEnvironment env;
    private final Tally events;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final RateLimiter learned = new RateLimiter(1000, 100);
    private final RateLimiter notHere = new RateLimiter(200, 50);
    private final RateLimiter addressRequests = new RateLimiter(500, 100);

    UpcallChannel(DeviceEnvironment env, Tally events) {
        this.env = env;
        this.events = events;
    }

    /** Whether a learned-source report may be raised now (rate limit), counting a refusal. */
    boolean mayReportLearned(long nowNanos) {
        return allow(learned, nowNanos, DROPPED_LEARNED);
    }

    boolean mayReportNotHere(long nowNanos) {
        return allow(notHere, nowNanos, DROPPED_NOT_HERE);
    }

    boolean mayRaiseAddressRequest(long nowNanos) {
        return allow(addressRequests, nowNanos, DROPPED_ADDRESS_REQUEST);
    }

    private boolean allow(RateLimiter limiter, long nowNanos, String dropped) {
        if (limiter.tryAcquire(nowNanos)) {
            return true;
        }
        events.increment(dropped);
        return false;
    }

    /** Queues an upcall within the device's share; false (counted) when it does not fit. */
    boolean offer(Upcalls.Base upcall) {
        if (outstanding.incrementAndGet() > env.upcallShare() || !env.offerUpcall(upcall)) {
            outstanding.decrementAndGet();
            events.increment(droppedName(upcall.kind()));
            return false;
        }
        return true;
    }

    void taken() {
        outstanding.decrementAndGet();
    }

    int outstanding() {
        return outstanding.get();
    }

    private static String droppedName(Upcall.Kind kind) {
        switch (kind) {
            case MISS:
                return DROPPED_MISS;
            case LEARNED:
                return DROPPED_LEARNED;
            case NOT_HERE:
                return DROPPED_NOT_HERE;
            default:
                return DROPPED_ADDRESS_REQUEST;
        }
    }
}
