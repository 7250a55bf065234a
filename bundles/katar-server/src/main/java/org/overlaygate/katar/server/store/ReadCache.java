package org.overlaygate.katar.server.store;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The read cache in front of the database: answers (found or NOTFOUND) by key, least recently
 * used first out when full.
 *
 * <p>Staleness bound: an entry is served for at most {@code ttlMillis} after it was read from the
 * database, whatever happens, so a mapping the database no longer holds is never answered longer
 * than that (plus the duration of the read that loaded it). Normally it goes much sooner: every
 * write through this server invalidates the keys it changed at commit, and with PostgreSQL every
 * write through any server does, by NOTIFY. A load that began before an invalidation does not
 * insert its (possibly old) answer: each load remembers the cache's generation, which every
 * invalidation advances.
 *
 * <p>A cache that cannot hear of other servers' writes (its PostgreSQL change feed is down) is
 * <em>suspended</em>: it answers nothing and keeps nothing, so every lookup reads the database,
 * until the feed is back and it is {@link #resume resumed} empty. Nothing it served can then be
 * older than the last write it heard of.
 *
 * <p>NOTFOUND answers are kept apart, at most a quarter of the entries: a client asking for random
 * MACs (a lookup fuzz) fills that quarter and evicts only its own kind, never the answers real
 * hosts need (100,000 negative entries had pushed every real mapping out).
 *
 * <p>One lock guards the maps; the I/O thread takes it for a hit, which costs far less than the
 * system calls around it.
 */
public final class ReadCache {
    private record Entry(Object value, long expiresAt) {
    }

    private final int maxEntries;
    private final long ttlNanos;
    private final long ttlMillis;
    private final LinkedHashMap<Object, Entry> map;
    /** NOTFOUND answers, bounded by {@link #maxNegative}. */
    private final LinkedHashMap<Object, Entry> negative;
    private final int maxNegative;
    private long generation;
    private boolean suspended;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder invalidated = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder bypassed = new LongAdder();

    /** The clock entries expire by: {@link System#nanoTime()}, or a test's. */
    private final java.util.function.LongSupplier clock;

    public ReadCache(int maxEntries, long ttlMillis) {
        this(maxEntries, ttlMillis, System::nanoTime);
    }

    /** For tests: a cache on the caller's clock (nanoseconds). */
    ReadCache(int maxEntries, long ttlMillis, java.util.function.LongSupplier clock) {
        this.clock = clock;
        if (maxEntries < 0) {
            throw new IllegalArgumentException("cache size must be 0 or more");
        }
        this.maxEntries = maxEntries;
        this.ttlMillis = ttlMillis;
        this.ttlNanos = ttlMillis * 1_000_000L;
        this.maxNegative = maxEntries == 0 ? 0 : Math.max(1, maxEntries / 4);
        this.map = lru(maxEntries);
        this.negative = lru(maxNegative);
    }

    private LinkedHashMap<Object, Entry> lru(int bound) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Entry> eldest) {
                boolean full = size() > bound;
                if (full) {
                    evicted.increment();
                }
                return full;
            }
        };
    }

    /** The cached answer, or null when absent or older than the bound. */
    public Object get(Object key) {
        synchronized (this) {
            if (suspended) {
                bypassed.increment();
                return null;
            }
            for (LinkedHashMap<Object, Entry> m : List.of(map, negative)) {
                Entry e = m.get(key);
                if (e != null) {
                    if (clock.getAsLong() - e.expiresAt < 0) {
                        hits.increment();
                        return e.value;
                    }
                    m.remove(key);
                    expired.increment();
                }
            }
        }
        misses.increment();
        return null;
    }

    /** The generation to pass to {@link #put} for a load starting now. */
    public synchronized long generation() {
        return generation;
    }

    /**
     * Stores an answer loaded from the database, unless an invalidation happened since the load
     * began ({@code loadGeneration}), the cache holds nothing ({@code maxEntries} 0 or TTL 0), or
     * it is suspended.
     */
    public synchronized boolean put(Object key, Object value, long loadGeneration) {
        return put(key, value, loadGeneration, false);
    }

    /** As {@link #put(Object, Object, long)}; a NOTFOUND answer ({@code notFound}) goes among its own kind. */
    public synchronized boolean put(Object key, Object value, long loadGeneration, boolean notFound) {
        if (loadGeneration != generation || maxEntries == 0 || ttlNanos <= 0 || suspended) {
            return false;
        }
        Entry e = new Entry(value, clock.getAsLong() + ttlNanos);
        if (notFound) {
            map.remove(key);
            negative.put(key, e);
        } else {
            negative.remove(key);
            map.put(key, e);
        }
        return true;
    }

    public synchronized void invalidate(Collection<?> keys) {
        generation++;
        for (Object k : keys) {
            if (map.remove(k) != null | negative.remove(k) != null) {
                invalidated.increment();
            }
        }
    }

    /** Forgets everything (a change feed that may have missed notifications, a bulk import). */
    public synchronized void clear() {
        generation++;
        map.clear();
        negative.clear();
        flushes.increment();
    }

    /**
     * Empties the cache and serves nothing from it until {@link #resume}: writes of other servers
     * can no longer be heard of (the change feed is down). Idempotent.
     */
    public synchronized void suspend() {
        if (!suspended) {
            suspended = true;
            clear();
        }
    }

    /**
     * Serves again, starting empty (notifications may have been missed while suspended; loads
     * that began before are not kept either).
     */
    public synchronized void resume() {
        clear();
        suspended = false;
    }

    public synchronized boolean suspended() {
        return suspended;
    }

    public synchronized int size() {
        return map.size() + negative.size();
    }

    /** NOTFOUND answers held. */
    public synchronized int negativeSize() {
        return negative.size();
    }

    public int maxEntries() {
        return maxEntries;
    }

    public long ttlMillis() {
        return ttlMillis;
    }

    /** Counters for {@code katar:show stats}. */
    public Map<String, Long> stats() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("cache_entries", (long) size());
        s.put("cache_notfound_entries", (long) negativeSize());
        s.put("cache_hits", hits.sum());
        s.put("cache_misses", misses.sum());
        s.put("cache_expired", expired.sum());
        s.put("cache_evicted", evicted.sum());
        s.put("cache_invalidated", invalidated.sum());
        s.put("cache_flushes", flushes.sum());
        s.put("cache_suspended", suspended() ? 1L : 0L);
        s.put("cache_bypassed", bypassed.sum());
        return s;
    }
}
