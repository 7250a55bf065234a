package org.overlaygate.core.device;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.Counters;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.base.Tally;

/**
 * The state machine of a DYNAMIC device's target cache (illumos {@code overlay_target.c}'s
 * INVALID, PENDING, VALID and DROP): misses, their answers, entries set from outside, and ageing.
 *
 * <pre>
 *   (none) --miss--> PENDING --respond--> VALID --lifetime over, in use--> VALID (refreshing) --respond--> VALID
 *                        |                  |                                       |
 *                        +----drop----> DROP (for the drop lifetime)  <------drop---+
 *   any state --invalidate, evict, age out--> removed (frames waiting on it are dropped and counted)
 * </pre>
 *
 * A PENDING entry holds copies of the frames that wait for the answer, bounded per entry and, through
 * the shared {@link PendingBudget}, across devices. A miss is an {@link Upcalls.Miss}; the entry
 * keeps the state of its request ({@link CacheEntry#requestState}: not asked, queued, taken), so a
 * request refused by a full queue is made again by the next frame or sweep, one still queued is
 * never duplicated, and one that varpd took but nobody answered within the retry interval is
 * issued again by {@link #sweep}: misses and refreshes survive varpd and plugins going away, and
 * a full queue. Only this class changes entries, always under the entry's monitor; the hit path
 * reads them without one. Scans (ageing, retries, eviction beyond the bound) run on the sweeper
 * alone, never on a frame thread: a miss that finds the cache at its hard bound is dropped
 * ({@code cache_full}) until the sweeper has made room.
 */
final class TargetResolver {
    static final String LEARNED = "learned";
    static final String LEARN_LIMITED = "learn_limited";
    static final String MOVED = "moved";
    static final String AGED_OUT = "aged_out";
    static final String REFRESHED = "refreshed";
    static final String INVALIDATED = "invalidated";
    static final String EVICTED = "evicted";
    static final String LOOKUP_DROPPED = "lookup_dropped";
    static final String STATIC_KEPT = "learn_ignored_static";
    static final String VERIFY = "sender_lookups";

    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BufferLayout.HEADROOM + BufferLayout.MAX_FRAME));

    private final Device device;
    private final DeviceEnvironment env;
    private final TargetCache cache;
    private final Counters counters;
    private final Tally events;
    private final int pendingBytesPerEntry;

    TargetResolver(Device device, DeviceEnvironment env, TargetCache cache, Counters counters, Tally events, int pendingBytesPerEntry) {
        this.device = device;
        this.env = env;
        this.cache = cache;
        this.counters = counters;
        this.events = events;
        this.pendingBytesPerEntry = pendingBytesPerEntry;
    }

    // ---------------------------------------------------------------- misses

    /**
     * A frame to {@code dst}, which has no VALID entry: queue it on the PENDING entry (made now if
     * there is none, with a miss upcall), or drop it as the entry says. A new entry whose miss does
     * not fit the upcall queue is removed again (the frame is dropped as {@code miss_queue_full},
     * and the next frame tries again); an existing entry whose request was refused keeps its frames
     * and is asked about by the next frame or sweep.
     */
    void miss(long dst, ByteBuffer buf, int offset, int length, Counters in) {
        cache.misses.increment();
        long now = env.nanoTime();
        CacheEntry e = cache.get(dst);
        boolean created = false;
        if (e == null) {
            if (cache.full()) {
                in.drop(DropReasons.CACHE_FULL); // the sweeper evicts; until then, no new entries
                return;
            }
            CacheEntry fresh = new CacheEntry(dst, CacheEntry.PENDING, TargetEntry.Origin.LOOKUP, now);
            fresh.request = lookupRequest(dst, buf, offset, length);
            e = cache.putIfAbsent(fresh);
            if (e == null) {
                e = fresh;
                created = true;
            }
        }
        boolean sendNow = false;
        boolean ask = false;
        byte[] queued = null;
        synchronized (e) {
            if (e.state == CacheEntry.DROP && now >= e.expiresAtNanos) {
                e.state = CacheEntry.PENDING; // the drop answer expired: ask again
                e.requestState = CacheEntry.NOT_ASKED;
            }
            switch (e.state) {
                case CacheEntry.VALID:
                    sendNow = true; // answered between the caller's look and the lock
                    break;
                case CacheEntry.DROP:
                    in.drop(e.dropReason);
                    return;
                case CacheEntry.DEAD:
                    // Replaced meanwhile (set from outside while we waited for the lock): use the
                    // entry that replaced it, or start again with a new one.
                    CacheEntry replacement = cache.get(dst);
                    if (replacement != null && replacement != e && replacement.state == CacheEntry.VALID) {
                        sendNow = true;
                        e = replacement;
                        break;
                    }
                    in.drop(DropReasons.PENDING_DISCARDED);
                    return;
                default:
                    if (e.pendingBytes + length > pendingBytesPerEntry) {
                        in.drop(DropReasons.PENDING_FULL);
                    } else if (!env.pendingBudget().reserve(length)) {
                        in.drop(DropReasons.PENDING_TOTAL_FULL);
                    } else {
                        queued = new byte[length];
                        buf.get(offset, queued);
                        e.pending.add(queued);
                        e.pendingBytes += length;
                    }
                    ask = e.requestState == CacheEntry.NOT_ASKED; // new, or refused before: ask now
            }
        }
        if (sendNow) {
            device.transmitTo(e.destinations, buf, offset, length, in, null);
        } else if (ask && !issue(e, false, now) && created) {
            discardRefused(e, queued, in); // nobody will answer: let the next frame try again
        }
        // An existing entry whose request was refused again keeps its frames: the next frame or sweep asks.
    }

    /**
     * Removes a new entry whose first request did not fit the queue: this frame is dropped as
     * {@code miss_queue_full} on its port; any frame another port queued on it meanwhile, as
     * discarded. Each is counted once.
     */
    private void discardRefused(CacheEntry e, byte[] ours, Counters in) {
        cache.remove(e);
        List<byte[]> frames;
        synchronized (e) {
            e.state = CacheEntry.DEAD;
            frames = drain(e);
        }
        in.drop(DropReasons.MISS_QUEUE_FULL);
        int others = frames.size() - (ours != null && frames.contains(ours) ? 1 : 0);
        if (others > 0) {
            counters.drop(DropReasons.PENDING_DISCARDED, others);
        }
    }

    /**
     * Puts the entry's request on the upcall queue, unless it is there already. A refused offer
     * returns the entry to NOT_ASKED, so that the request is made again later rather than lost.
     *
     * @return whether the request is queued now
     */
    private boolean issue(CacheEntry e, boolean refresh, long now) {
        Upcalls.Miss upcall;
        synchronized (e) {
            if (e.state == CacheEntry.DEAD) {
                return false;
            }
            if (e.requestState == CacheEntry.QUEUED) {
                return true;
            }
            e.requestSequence++;
            e.requestState = CacheEntry.QUEUED;
            e.requestStateNanos = now;
            upcall = new Upcalls.Miss(device, e, e.request, refresh, e.requestSequence);
        }
        if (device.upcallChannel().offer(upcall)) {
            return true;
        }
        synchronized (e) {
            if (e.requestSequence == upcall.sequence && e.requestState == CacheEntry.QUEUED) {
                e.requestState = CacheEntry.NOT_ASKED;
            }
        }
        return false;
    }

    /**
     * Asks where {@code mac} lives without a frame to send there: an overlay that accepts only its
     * peers met it as the inner source of a frame from an unknown sender. Nothing is asked when the
     * cache has any entry for it (pending, valid elsewhere, or drop), nor when it is full; a request
     * that does not fit the queue is forgotten (the sender's next frame asks again).
     */
    void verify(long mac) {
        if (cache.get(mac) != null || cache.full()) {
            return;
        }
        long now = env.nanoTime();
        CacheEntry fresh = new CacheEntry(mac, CacheEntry.PENDING, TargetEntry.Origin.LOOKUP, now);
        fresh.request = new LookupRequest(device.vnetId(), 0, mac, 0, LookupRequest.NO_VLAN);
        if (cache.putIfAbsent(fresh) != null) {
            return;
        }
        events.increment(VERIFY);
        if (!issue(fresh, false, now)) {
            discard(fresh);
        }
    }

    private LookupRequest lookupRequest(long dst, ByteBuffer buf, int offset, int length) {
        int ethertype = buf.getShort(offset + 12) & 0xFFFF;
        int vlan = LookupRequest.NO_VLAN;
        if (ethertype == BufferLayout.ETHERTYPE_VLAN && length >= BufferLayout.ETHERNET_HEADER + BufferLayout.VLAN_TAG) {
            vlan = buf.getShort(offset + 14) & 0x0FFF;
            ethertype = buf.getShort(offset + 16) & 0xFFFF;
        }
        return new LookupRequest(device.vnetId(), MacAddress.read(buf, offset + 6), dst, ethertype, vlan);
    }

    /**
     * A miss or refresh answered with a destination. The frames that waited are sent before the
     * entry turns VALID, under its monitor, so that a frame arriving meanwhile (which finds the entry
     * still PENDING and waits for the monitor) can never overtake them.
     */
    void answer(CacheEntry e, UnderlayAddress destination) {
        UnderlayAddress[] destinations = {destination};
        long now = env.nanoTime();
        synchronized (e) {
            if (e.state == CacheEntry.VALID && e.refreshing) {
                e.refreshing = false;
                e.requestState = CacheEntry.NOT_ASKED;
                if (!e.destinations[0].equals(destination)) {
                    e.destinations = destinations;
                    events.increment(MOVED);
                }
                e.confirmedNanos = now;
                events.increment(REFRESHED);
                return;
            }
            if (e.state != CacheEntry.PENDING) {
                return; // answered already, or removed
            }
            e.destinations = destinations;
            e.confirmedNanos = now;
            e.lastUsedNanos = now;
            e.requestState = CacheEntry.NOT_ASKED;
            sendQueued(drain(e), destinations);
            e.state = CacheEntry.VALID;
        }
    }

    /** A miss or refresh answered with drop: the entry drops frames for a while, counted by the plugin's reason. */
    void answerDrop(CacheEntry e, String pluginReason) {
        String reason = DropReasons.fromPlugin(pluginReason);
        List<byte[]> frames;
        synchronized (e) {
            if (e.state != CacheEntry.PENDING && !(e.state == CacheEntry.VALID && e.refreshing)) {
                return;
            }
            e.refreshing = false;
            e.requestState = CacheEntry.NOT_ASKED;
            e.expiresAtNanos = env.nanoTime() + env.dropLifetimeNanos();
            e.dropReason = reason;
            e.state = CacheEntry.DROP;
            frames = drain(e);
        }
        events.increment(LOOKUP_DROPPED);
        if (!frames.isEmpty()) {
            counters.drop(reason, frames.size());
        }
    }

    private List<byte[]> drain(CacheEntry e) {
        if (e.pending.isEmpty()) {
            return List.of();
        }
        List<byte[]> frames = new ArrayList<>(e.pending);
        env.pendingBudget().release(e.pendingBytes);
        e.pending.clear();
        e.pendingBytes = 0;
        return frames;
    }

    /** Sends queued copies from a thread that is not a data-path reader, through that thread's scratch buffer. */
    private void sendQueued(List<byte[]> frames, UnderlayAddress[] destinations) {
        if (frames.isEmpty()) {
            return;
        }
        ByteBuffer scratch = SCRATCH.get();
        for (byte[] f : frames) {
            scratch.put(BufferLayout.HEADROOM, f);
            device.transmitTo(destinations, scratch, BufferLayout.HEADROOM, f.length, counters, null);
        }
    }

    // ---------------------------------------------------------------- entries set from outside

    /**
     * Installs a VALID entry. A learned destination never replaces one set by the operator, is
     * only a confirmation when it is already there, and is refused beyond the learning bound.
     */
    void setTarget(long mac, UnderlayAddress destination, TargetEntry.Origin origin, int maxLearned) {
        long now = env.nanoTime();
        CacheEntry existing = cache.get(mac);
        if (origin == TargetEntry.Origin.LEARNED && existing != null && existing.state == CacheEntry.VALID) {
            if (existing.origin == TargetEntry.Origin.STATIC) {
                events.increment(STATIC_KEPT);
                return;
            }
            if (existing.origin == TargetEntry.Origin.LEARNED && existing.destinations[0].equals(destination)) {
                existing.confirmedNanos = now;
                return;
            }
        }
        boolean newLearned = origin == TargetEntry.Origin.LEARNED && (existing == null || existing.origin != TargetEntry.Origin.LEARNED);
        if (newLearned && cache.learned() >= maxLearned) {
            events.increment(LEARN_LIMITED);
            return;
        }
        CacheEntry fresh = new CacheEntry(mac, CacheEntry.VALID, origin, now);
        fresh.destinations = new UnderlayAddress[] {destination};
        if (origin == TargetEntry.Origin.LEARNED) {
            events.increment(LEARNED);
        }
        if (existing == null) {
            CacheEntry raced = cache.put(fresh);
            if (raced != null) {
                retire(raced, fresh); // created by a miss between our look and the put
            }
            return; // beyond the bound, the sweeper evicts
        }
        // What waited on the old entry goes out first, then the new entry takes its place, all
        // under the old entry's monitor: a frame that waits for it finds the entry DEAD and follows
        // the new one, behind the ones that waited.
        synchronized (existing) {
            if (existing.state == CacheEntry.VALID && !existing.destinations[0].equals(destination)) {
                events.increment(MOVED);
            }
            sendQueued(drain(existing), fresh.destinations);
            CacheEntry replaced = cache.put(fresh);
            existing.state = CacheEntry.DEAD;
            if (replaced != null && replaced != existing) {
                retire(replaced, fresh);
            }
        }
    }

    /** An entry replaced by {@code by}: its waiting frames follow the new destination. */
    private void retire(CacheEntry old, CacheEntry by) {
        synchronized (old) {
            sendQueued(drain(old), by.destinations);
            old.state = CacheEntry.DEAD;
        }
    }

    /** Removes the entry of {@code mac}; returns whether there was one. */
    boolean invalidate(long mac) {
        CacheEntry e = cache.get(mac);
        if (e == null) {
            return false;
        }
        discard(e);
        events.increment(INVALIDATED);
        return true;
    }

    /**
     * A remote host says {@code mac} is not where the cache thinks (see
     * {@link org.overlaygate.api.datapath.OverlayDevice#invalidateFrom}): removes the entry only
     * when {@code sender} is where it points or a configured peer, the operator did not set it, and
     * no frame waits on it. Decided and done under the entry's monitor, so an entry that becomes
     * PENDING or is replaced meanwhile is never removed with its frames. Allocation-free.
     */
    OverlayDevice.RemoteInvalidation invalidateFrom(long mac, java.net.InetAddress sender) {
        CacheEntry e = cache.get(mac);
        if (e == null) {
            return OverlayDevice.RemoteInvalidation.NOT_CACHED;
        }
        boolean peer = sender != null && device.forwarding.isConfiguredPeer(sender);
        synchronized (e) {
            if (e.state == CacheEntry.DEAD) {
                return OverlayDevice.RemoteInvalidation.NOT_CACHED;
            }
            if (!peer && !(sender != null && e.state == CacheEntry.VALID && e.isAt(sender))) {
                return OverlayDevice.RemoteInvalidation.UNKNOWN_SENDER;
            }
            if (e.origin == TargetEntry.Origin.STATIC) {
                return OverlayDevice.RemoteInvalidation.OPERATOR_ENTRY;
            }
            if (e.state == CacheEntry.PENDING || !e.pending.isEmpty()) {
                return OverlayDevice.RemoteInvalidation.PENDING;
            }
            if (!cache.remove(e)) {
                return OverlayDevice.RemoteInvalidation.NOT_CACHED;
            }
            e.state = CacheEntry.DEAD;
        }
        events.increment(INVALIDATED);
        return OverlayDevice.RemoteInvalidation.APPLIED;
    }

    void flush() {
        for (CacheEntry e : cache.all()) {
            discard(e);
        }
    }

    /** Removes an entry and drops what waits on it. */
    private void discard(CacheEntry e) {
        cache.remove(e);
        List<byte[]> frames;
        synchronized (e) {
            e.state = CacheEntry.DEAD;
            frames = drain(e);
        }
        if (!frames.isEmpty()) {
            counters.drop(DropReasons.PENDING_DISCARDED, frames.size());
        }
    }

    private void evict() {
        for (CacheEntry victim : cache.evictionVictims()) {
            discard(victim);
            events.increment(EVICTED);
        }
    }

    // ---------------------------------------------------------------- time

    /**
     * Asks again about PENDING entries whose request was refused by a full queue or taken by varpd
     * and not answered within the retry interval (varpd or the plugin went away), removes expired
     * DROP entries, ages VALID entries by {@code lifetimeNanos} (0: no ageing): learned ones not
     * confirmed within it are removed, looked-up ones are asked about again while in use and removed
     * once idle; and evicts the least recently used entries beyond the cache's bound. Called
     * periodically by the service's sweeper, the one thread that scans the cache.
     */
    void sweep(long now, long lifetimeNanos) {
        long retry = env.missRetryNanos();
        for (CacheEntry e : cache.all()) {
            int state = e.state;
            if (state == CacheEntry.DROP && now >= e.expiresAtNanos) {
                discard(e);
            } else if (state == CacheEntry.PENDING) {
                boolean ask;
                synchronized (e) {
                    ask = e.state == CacheEntry.PENDING && e.request != null && e.requestUnanswered(now, retry);
                }
                if (ask) {
                    issue(e, false, now);
                }
            } else if (state == CacheEntry.VALID && lifetimeNanos > 0 && e.origin != TargetEntry.Origin.STATIC
                    && now - e.confirmedNanos >= lifetimeNanos) {
                age(e, now, lifetimeNanos, retry);
            }
        }
        if (cache.overBound()) {
            evict();
        }
    }

    private void age(CacheEntry e, long now, long lifetimeNanos, long retry) {
        boolean inUse = now - e.lastUsedNanos < lifetimeNanos;
        if (e.origin == TargetEntry.Origin.LEARNED || !inUse) {
            if (cache.remove(e)) {
                synchronized (e) {
                    e.state = CacheEntry.DEAD;
                }
                events.increment(AGED_OUT);
            }
            return;
        }
        synchronized (e) {
            if (e.state != CacheEntry.VALID || e.refreshing && !e.requestUnanswered(now, retry)) {
                return; // a refresh is queued, or taken and not yet overdue
            }
            e.refreshing = true;
            if (e.request == null) {
                e.request = new LookupRequest(device.vnetId(), 0, e.mac, 0, LookupRequest.NO_VLAN);
            }
        }
        issue(e, true, now); // refused: the next sweep asks again
    }
}
