package org.overlaygate.core.device;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.datapath.TargetEntry;

/**
 * The MAC-keyed target cache of a DYNAMIC device (illumos {@code overlay_target.c}): storage and
 * bounds only; the state machine that fills it is {@link TargetResolver}. Lookups are lock-free and
 * allocation-free ({@link NonBlockingHashMapLong} keys are primitive). The cache holds at most
 * {@code max} entries; beyond that the least recently used are evicted in a batch of a sixteenth
 * of the bound, so eviction costs O(log n) per insert amortised rather than a scan per miss. It
 * also keeps the number of LEARNED entries, which a learning policy bounds separately.
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

    /** Returns the existing entry, or inserts the one {@code create} makes (then {@code created[0]} is true). */
    CacheEntry getOrCreate(long mac, LongFunction<CacheEntry> create, boolean[] created) {
        CacheEntry e = entries.get(mac);
        if (e != null) {
            created[0] = false;
            return e;
        }
        CacheEntry fresh = create.apply(mac);
        CacheEntry raced = entries.putIfAbsent(mac, fresh);
        created[0] = raced == null;
        if (raced == null) {
            countIn(fresh);
        }
        return raced == null ? fresh : raced;
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

    /** The entries to evict so that the cache is a sixteenth below its bound: oldest first. */
    List<CacheEntry> evictionVictims() {
        CacheEntry[] all = entries.values().toArray(new CacheEntry[0]);
        int excess = all.length - max + Math.max(1, max / 16);
        if (excess <= 0) {
            return List.of();
        }
        Arrays.sort(all, Comparator.comparingLong(e -> e.lastUsedNanos));
        return Arrays.asList(all).subList(0, Math.min(excess, all.length));
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
