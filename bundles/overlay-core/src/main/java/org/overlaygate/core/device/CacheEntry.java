package org.overlaygate.core.device;

import java.util.ArrayDeque;

import org.overlaygate.api.UnderlayAddress;

/**
 * One target cache entry. The data path reads {@link #state} and {@link #destinations} without a
 * lock (both volatile, written in that order under the entry's monitor: destinations first, so a
 * reader that sees VALID sees them). The pending queue and its byte count are guarded by the
 * entry's monitor.
 */
final class CacheEntry {
    static final int PENDING = 0;
    static final int VALID = 1;
    static final int DROP = 2;
    /** Removed from the cache: answers to it are ignored, frames are not queued on it. */
    static final int DEAD = 3;

    static final UnderlayAddress[] NO_DESTINATIONS = new UnderlayAddress[0];

    final long mac;
    volatile int state;
    volatile UnderlayAddress[] destinations = NO_DESTINATIONS;
    /** For LRU eviction; refreshed at most once a second per entry so hits rarely write. */
    volatile long lastUsedNanos;
    /** When a DROP entry stops applying. */
    volatile long expiresAtNanos;
    /** When the current miss request was issued (guarded by this). */
    long requestedAtNanos;
    /** The lookup that created this entry, asked again if nobody answers (guarded by this). */
    org.overlaygate.api.search.LookupRequest request;
    final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    int pendingBytes;

    CacheEntry(long mac, int state, long nowNanos) {
        this.mac = mac;
        this.state = state;
        this.lastUsedNanos = nowNanos;
        this.requestedAtNanos = nowNanos;
    }

    void touch(long nowNanos) {
        if (nowNanos - lastUsedNanos > 1_000_000_000L) {
            lastUsedNanos = nowNanos;
        }
    }
}
