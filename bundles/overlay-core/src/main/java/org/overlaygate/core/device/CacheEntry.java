package org.overlaygate.core.device;

import java.util.ArrayDeque;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.search.LookupRequest;

/**
 * One target cache entry. The data path reads {@link #state}, {@link #destinations} and
 * {@link #dropReason} without a lock (volatile, written under the entry's monitor, destinations
 * and reason before the state, so a reader that sees VALID or DROP sees them). Everything else that
 * changes is guarded by the entry's monitor, except the two time stamps, which are written
 * racily by design (at most once a second, any writer's value is good enough).
 */
final class CacheEntry {
    static final int PENDING = 0;
    static final int VALID = 1;
    static final int DROP = 2;
    /** Removed from the cache: answers to it are ignored, frames are not queued on it. */
    static final int DEAD = 3;

    static final UnderlayAddress[] NO_DESTINATIONS = new UnderlayAddress[0];
    private static final long ONE_SECOND = 1_000_000_000L;

    final long mac;
    volatile int state;
    volatile UnderlayAddress[] destinations = NO_DESTINATIONS;
    /** Why frames to a DROP entry are dropped: the search plugin's reason, made countable. */
    volatile String dropReason;
    /** Where the destination came from; an entry of another origin is a new entry. */
    final TargetEntry.Origin origin;
    /** When frames last used the entry; for LRU eviction and to tell used from idle entries. */
    volatile long lastUsedNanos;
    /** When the destination was last confirmed: answered, set, or (learned) seen as a source. */
    volatile long confirmedNanos;
    /** When a DROP entry stops applying. */
    volatile long expiresAtNanos;
    /*
     * The entry's lookup request, an explicit state machine after illumos, where the entry itself
     * sits on the miss queue (guarded by this):
     *
     *   NOT_ASKED --offered--> QUEUED --varpd took it--> TAKEN --answered--> NOT_ASKED
     *       ^                    |                         |
     *       +--offer refused-----+      +--retry interval--+--> QUEUED (asked again)
     *
     * A refused offer goes back to NOT_ASKED, so the next frame or sweep asks again: no request is
     * ever lost. A QUEUED request waits in the queue (varpd may be away) and is not duplicated.
     */
    static final int NOT_ASKED = 0;
    static final int QUEUED = 1;
    static final int TAKEN = 2;
    /** NOT_ASKED, QUEUED or TAKEN (guarded by this). */
    int requestState;
    /** When the request was queued or taken (guarded by this). */
    long requestStateNanos;
    /** Which upcall is the current request: older ones taken late do not change the state (guarded by this). */
    int requestSequence;
    /** The lookup asked for this entry, asked again if nobody answers (guarded by this). */
    LookupRequest request;
    /** A VALID entry whose lifetime ran out while in use, being confirmed again (guarded by this). */
    boolean refreshing;
    /** Frames waiting on a PENDING entry (guarded by this). */
    final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    int pendingBytes;

    CacheEntry(long mac, int state, TargetEntry.Origin origin, long nowNanos) {
        this.mac = mac;
        this.state = state;
        this.origin = origin;
        this.lastUsedNanos = nowNanos;
        this.confirmedNanos = nowNanos;
    }

    /** Marks the entry used; writes at most once a second so that hits rarely write. */
    void touch(long nowNanos) {
        if (nowNanos - lastUsedNanos > ONE_SECOND) {
            lastUsedNanos = nowNanos;
        }
    }

    /** Marks the destination confirmed (a learned source seen again); at most one write a second. */
    void confirm(long nowNanos) {
        if (nowNanos - confirmedNanos > ONE_SECOND) {
            confirmedNanos = nowNanos;
        }
    }

    /**
     * Whether the request must be (re)issued: never asked or refused, or taken by varpd at least
     * {@code retryNanos} ago without an answer (its plugin was away or failed). Caller holds the monitor.
     */
    boolean requestUnanswered(long nowNanos, long retryNanos) {
        return requestState == NOT_ASKED || requestState == TAKEN && nowNanos - requestStateNanos >= retryNanos;
    }

    /** True when exactly one destination is cached and it is {@code address} (any port). */
    boolean isAt(java.net.InetAddress address) {
        UnderlayAddress[] d = destinations;
        return d.length == 1 && d[0].address().equals(address);
    }
}
