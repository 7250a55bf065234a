package org.overlaygate.core.device;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

import org.jctools.maps.NonBlockingHashMapLong;
import org.overlaygate.api.datapath.TargetEntry;

/**
 * The MAC-keyed target cache of a DYNAMIC device (illumos {@code overlay_target.c}): entries are
 * PENDING (looked up, frames queued), VALID (destinations known) or DROP (unreachable, until it
 * expires). Lookups are lock-free and allocation-free ({@link NonBlockingHashMapLong} keys are
 * primitive). The cache holds at most {@code max} entries; beyond that the least recently used
 * are evicted in a batch of a sixteenth of the bound, so eviction costs O(log n) per insert
 * amortised rather than a scan per miss.
 */
final class TargetCache {
    private final NonBlockingHashMapLong<CacheEntry> entries = new NonBlockingHashMapLong<>();
    private final int max;
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
        return raced == null ? fresh : raced;
    }

    /** Puts {@code entry}, replacing any other; returns the replaced entry or null. */
    CacheEntry put(CacheEntry entry) {
        return entries.put(entry.mac, entry);
    }

    /** Removes {@code entry} if it is still the one cached for its MAC. */
    boolean remove(CacheEntry entry) {
        return entries.remove(entry.mac, entry);
    }

    CacheEntry remove(long mac) {
        return entries.remove(mac);
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

    List<TargetEntry> snapshot() {
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
            out.add(new TargetEntry(e.mac, s, state == CacheEntry.VALID ? Arrays.asList(e.destinations) : List.of(), pending));
        }
        out.sort(Comparator.comparingLong(TargetEntry::mac));
        return out;
    }
}
