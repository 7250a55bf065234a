package org.overlaygate.search.katar;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Confirms again, a little later, the answers given right after an invalidation (a log entry, or a
 * SHOOTDOWN through the overlay's invalidation plugin) of one overlay. A server may answer the lookup an invalidation causes from a cache of its own that
 * still holds the old answer (portolan keeps answers 10 s): the old host would then stay in the
 * data path's cache until its 60 s re-confirmation. So each invalidated MAC (a VL2 entry) or
 * changed address (a VL3 entry) is asked about again {@code delayMs} after the invalidation, past
 * such a cache's lifetime; when the fresh answer differs from what was answered since the
 * invalidation, that answer was stale: the fresh one is applied and the contradiction counted
 * ({@code stale_after_invalidation}).
 *
 * <p>Only what was answered since the invalidation is asked about again (an invalidated MAC no
 * frame asked for has nothing stale in the cache), and at most {@code maxTracked} at a time
 * (beyond, invalidations are applied without it, counted {@code reconfirm_skipped}).
 */
final class Reconfirmations {
    /** What a fresh lookup said, and how to put it in place of a stale answer. */
    record Fresh(String answer, Runnable apply) {
    }

    private final long delayMs;
    private final int maxTracked;
    private final ScheduledExecutorService timer;
    /** Asks a key (a MAC, an address) afresh; completes with null when no answer could be had. */
    private final Function<Object, CompletableFuture<Fresh>> ask;
    /** Keys invalidated and not yet confirmed again, with what was answered since (null: nothing yet). */
    private final Map<Object, Tracked> tracked = new ConcurrentHashMap<>();
    private final LongAdder confirmed = new LongAdder();
    private final LongAdder contradicted = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private volatile boolean stopped;

    private static final class Tracked {
        volatile String answered;
    }

    Reconfirmations(long delayMs, int maxTracked, ScheduledExecutorService timer, Function<Object, CompletableFuture<Fresh>> ask) {
        this.delayMs = delayMs;
        this.maxTracked = maxTracked;
        this.timer = timer;
        this.ask = ask;
    }

    /** {@code key} was invalidated: answers given from now on are confirmed again after the delay. */
    void invalidated(Object key) {
        if (delayMs <= 0 || stopped) {
            return;
        }
        if (tracked.size() >= maxTracked && !tracked.containsKey(key)) {
            skipped.increment();
            return;
        }
        Tracked t = new Tracked();
        tracked.put(key, t); // an earlier invalidation's check finds itself replaced and leaves it to this one
        timer.schedule(() -> check(key, t), delayMs, TimeUnit.MILLISECONDS);
    }

    /** {@code key} was answered {@code answer} (a destination, or a drop with its reason). */
    void answered(Object key, String answer) {
        Tracked t = tracked.get(key);
        if (t != null) {
            t.answered = answer;
        }
    }

    private void check(Object key, Tracked t) {
        if (!tracked.remove(key, t) || stopped) {
            return; // invalidated again meanwhile: that invalidation's check decides
        }
        String given = t.answered;
        if (given == null) {
            return; // nothing was answered since the invalidation: nothing can be stale
        }
        ask.apply(key).whenComplete((fresh, error) -> {
            if (error != null || fresh == null || stopped) {
                return; // no answer now: the data path's own re-confirmation asks later
            }
            confirmed.increment();
            if (!Objects.equals(fresh.answer(), given)) {
                contradicted.increment();
                fresh.apply().run();
            }
        });
    }

    void stop() {
        stopped = true;
        tracked.clear();
    }

    /** Answers confirmed again after an invalidation. */
    long confirmed() {
        return confirmed.sum();
    }

    /** Of those, answers the fresh lookup contradicted: given from a stale server cache. */
    long contradicted() {
        return contradicted.sum();
    }

    long skipped() {
        return skipped.sum();
    }
}
