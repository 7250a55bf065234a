package org.overlaygate.core.device;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.datapath.TargetEntry;

/**
 * The MAC-keyed target cache of a DYNAMIC device (illumos {@code overlay_target.c}): storage and
 * bounds only; the state machine that fills it is {@link TargetResolver}. Lookups are lock-free and
 * allocation-free ({@link NonBlockingHashMapLong} keys are primitive). The cache holds at most
 * {@code max} entries: beyond that the sweeper evicts the least recently used in a batch of a
 * sixteenth of the bound, and a frame path makes no new entry past a hard bound a little higher
 * ({@link #full()}). It also keeps the number of LEARNED entries, which a learning policy bounds
 * separately.
 */
final class TargetCache {
    private final NonBlockingHashMapLong<CacheEntry> entries = new NonBlockingHashMapLong<>();
    private final int max;
    private final AtomicInteger learned = new AtomicInteger();
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();

    TargetCache(int max) {
        this.max = max;
    }

    CacheEntry get(long mac) {
        return entries.get(mac);
    }

    /** Inserts {@code entry} unless its MAC has one; returns the existing entry, or null when inserted. */
    CacheEntry putIfAbsent(CacheEntry entry) {
        CacheEntry raced = entries.putIfAbsent(entry.mac, entry);
        if (raced == null) {
            countIn(entry);
        }
        return raced;
    }

    /** Puts {@code entry}, replacing any other; returns the replaced entry or null. */
    CacheEntry put(CacheEntry entry) {
        CacheEntry previous = entries.put(entry.mac, entry);
        countIn(entry);
        if (previous != null) {
            countOut(previous);
        }
        return previous;
    }

    /** Removes {@code entry} if it is still the one cached for its MAC. */
    boolean remove(CacheEntry entry) {
        boolean removed = entries.remove(entry.mac, entry);
        if (removed) {
            countOut(entry);
        }
        return removed;
    }

    private void countIn(CacheEntry e) {
        if (e.origin == TargetEntry.Origin.LEARNED) {
            learned.incrementAndGet();
        }
    }

    private void countOut(CacheEntry e) {
        if (e.origin == TargetEntry.Origin.LEARNED) {
            learned.decrementAndGet();
        }
    }

    /** LEARNED entries now. */
    int learned() {
        return learned.get();
    }

    int size() {
        return entries.size();
    }

    boolean overBound() {
        return entries.size() > max;
    }

    /**
     * Whether the cache is so far over its bound that no new entry may be made on a frame path
     * until the sweeper has evicted: the bound plus an eighth (at least 64), room for what arrives
     * between two sweeps.
     */
    boolean full() {
        return entries.size() >= max + Math.max(64, max / 8);
    }

    /**
     * The entries to evict so that the cache is a sixteenth below its bound: the least recently
     * used first, never the operator's. Readers keep touching entries while this runs, so the
     * times are copied once and the choice is made on the copy (a sort over live values can fail,
     * and could never be consistent). O(n log n): for the sweeper only.
     */
    List<CacheEntry> evictionVictims() {
        CacheEntry[] all = entries.values().toArray(new CacheEntry[0]);
        int excess = all.length - max + Math.max(1, max / 16);
        if (all.length <= max || excess <= 0) {
            return List.of();
        }
        long[] used = new long[all.length];
        int candidates = 0;
        for (int i = 0; i < all.length; i++) {
            boolean operators = all[i].origin == TargetEntry.Origin.STATIC;
            used[i] = operators ? Long.MAX_VALUE : all[i].lastUsedNanos;
            candidates += operators ? 0 : 1;
        }
        int n = Math.min(excess, candidates);
        if (n == 0) {
            return List.of();
        }
        long[] sorted = used.clone();
        Arrays.sort(sorted);
        long threshold = sorted[n - 1];
        List<CacheEntry> victims = new ArrayList<>(n);
        for (int i = 0; i < all.length && victims.size() < n; i++) {
            if (used[i] <= threshold) {
                victims.add(all[i]);
            }
        }
        return victims;
    }

    List<CacheEntry> all() {
        return new ArrayList<>(entries.values());
    }

    List<TargetEntry> snapshot(long nowNanos) {
        List<TargetEntry> out = new ArrayList<>();
        for (CacheEntry e : entries.values()) {
            int state = e.state;
            if (state == CacheEntry.DEAD) {
                continue;
            }
            int pending;
            synchronized (e) {
                pending = e.pending.size();
            }
            TargetEntry.State s = state == CacheEntry.VALID ? TargetEntry.State.VALID
                    : state == CacheEntry.DROP ? TargetEntry.State.DROP : TargetEntry.State.PENDING;
            long ageMillis = Math.max(0, (nowNanos - e.confirmedNanos) / 1_000_000L);
            out.add(new TargetEntry(e.mac, s, e.origin, state == CacheEntry.VALID ? Arrays.asList(e.destinations) : List.of(), pending,
                    ageMillis));
        }
        out.sort(Comparator.comparingLong(TargetEntry::mac));
        return out;
    }
}
