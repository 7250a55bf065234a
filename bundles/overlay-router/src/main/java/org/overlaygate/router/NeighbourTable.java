package org.overlaygate.router;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The neighbours of one router port: a bounded open-addressing table read without a lock or an
 * allocation on the data path, and the state machine of {@link Neighbour} driven by packets,
 * answers and {@link #tick}. What the machine decides to do (ask the search plugin, send ARP or a
 * neighbour solicitation, release or give up on held packets) goes to {@link Actions}, called
 * without any monitor held.
 */
final class NeighbourTable {
    static final long REACHABLE_NANOS = 30_000_000_000L;
    static final long RESOLVE_NANOS = 3_000_000_000L;
    static final long PROBE_INTERVAL_NANOS = 1_000_000_000L;
    static final long STALE_GC_NANOS = 60_000_000_000L;
    static final int MAX_ENTRIES = 1024;
    static final int MAX_HELD = 4;
    static final int MAX_HELD_BYTES = 16 * 1024;

    /** What the state machine asks for. */
    interface Actions {
        /** Ask the overlay's search plugin (returns false when it cannot be asked: then a probe goes at once). */
        boolean lookup(Neighbour n);

        /** Send an ARP request or neighbour solicitation for the entry. */
        void probe(Neighbour n);

        /** The MAC is known: send what waited, with it as destination. */
        void release(Neighbour n, List<Neighbour.Held> held);

        /** Resolution failed: tell the senders of what waited (host unreachable). */
        void unreachable(Neighbour n, List<Neighbour.Held> held);
    }

    enum Hold {
        HELD, FULL, TABLE_FULL
    }

    private static final int SLOTS = MAX_ENTRIES * 2;

    private final LongSupplier clock;
    private final Actions actions;
    private volatile Neighbour[] slots = new Neighbour[SLOTS];
    private int size;

    NeighbourTable(LongSupplier nanoClock, Actions actions) {
        this.clock = nanoClock;
        this.actions = actions;
    }

    private static int slot(long hi, long lo) {
        long h = (hi * 0x9E37_79B9_7F4A_7C15L) ^ (lo * 0xC2B2_AE3D_27D4_EB4FL);
        return (int) ((h ^ (h >>> 29)) & (SLOTS - 1));
    }

    /** The entry for an address, or {@code null}. Allocates nothing. */
    Neighbour get(long hi, long lo) {
        Neighbour[] s = slots;
        for (int i = slot(hi, lo), n = 0; n < SLOTS; i = (i + 1) & (SLOTS - 1), n++) {
            Neighbour e = s[i];
            if (e == null) {
                return null;
            }
            if (e.hi == hi && e.lo == lo) {
                return e;
            }
        }
        return null;
    }

    private synchronized Neighbour getOrCreate(long hi, long lo, Neighbour.State state) {
        Neighbour e = get(hi, lo);
        if (e != null) {
            return e;
        }
        if (size >= MAX_ENTRIES) {
            return null;
        }
        e = new Neighbour(hi, lo, state, clock.getAsLong());
        Neighbour[] s = slots;
        int i = slot(hi, lo);
        while (s[i] != null) {
            i = (i + 1) & (SLOTS - 1);
        }
        s[i] = e;
        size++;
        return e;
    }

    /**
     * A packet for a next hop whose MAC is not known: held on the (new) INCOMPLETE entry, which
     * asks for the MAC when it is new. The frame is copied.
     */
    Hold hold(long hi, long lo, Neighbour.Held packet) {
        Neighbour e = getOrCreate(hi, lo, Neighbour.State.INCOMPLETE);
        if (e == null) {
            return Hold.TABLE_FULL;
        }
        boolean ask = false;
        List<Neighbour.Held> release = null;
        synchronized (e) {
            if (e.usable()) { // answered meanwhile
                release = List.of(packet);
            } else {
                if (e.held.size() >= MAX_HELD || e.heldBytes + packet.frame.length > MAX_HELD_BYTES) {
                    return Hold.FULL;
                }
                e.held.add(packet);
                e.heldBytes += packet.frame.length;
                if (e.lastProbe == 0) {
                    long now = clock.getAsLong();
                    e.lastProbe = now == 0 ? 1 : now;
                    e.since = now;
                    ask = true;
                }
            }
        }
        if (release != null) {
            actions.release(e, release);
        } else if (ask && !actions.lookup(e)) {
            actions.probe(e);
        }
        return Hold.HELD;
    }

    /**
     * A neighbour known before a restart (see {@link RouterState}): made STALE with its MAC, so that
     * it is used at once and confirmed by a probe when it is. An existing entry is left alone.
     */
    void restoreStale(long hi, long lo, long mac, String source) {
        Neighbour e = getOrCreate(hi, lo, Neighbour.State.STALE);
        if (e == null) {
            return;
        }
        synchronized (e) {
            if (e.mac == 0 && e.held.isEmpty()) {
                e.mac = mac;
                e.source = source;
                e.state = Neighbour.State.STALE;
                e.since = clock.getAsLong();
            }
        }
    }

    /** The search plugin had no answer: fall back to ARP / a solicitation at once. */
    void lookupEmpty(Neighbour e) {
        if (e.state == Neighbour.State.INCOMPLETE || e.state == Neighbour.State.PROBE) {
            actions.probe(e);
        }
    }

    /**
     * The neighbour's MAC, confirmed (an ARP reply or neighbour advertisement, the search plugin's
     * answer): the entry becomes REACHABLE and what waited leaves. Only for entries that exist:
     * unsolicited answers create nothing.
     */
    void confirm(long hi, long lo, long mac, String source) {
        Neighbour e = get(hi, lo);
        if (e != null) {
            update(e, mac, Neighbour.State.REACHABLE, source);
        }
    }

    /**
     * The neighbour asked us something (an ARP request, a solicitation with its link-layer
     * address): its MAC is worth keeping, unconfirmed (STALE, as Linux does), or confirms a
     * pending resolution.
     */
    void heardFrom(long hi, long lo, long mac, String source) {
        Neighbour e = getOrCreate(hi, lo, Neighbour.State.STALE);
        if (e != null) {
            Neighbour.State to = e.state == Neighbour.State.INCOMPLETE || e.state == Neighbour.State.PROBE ? Neighbour.State.REACHABLE
                    : e.state == Neighbour.State.REACHABLE && e.mac == mac ? Neighbour.State.REACHABLE : Neighbour.State.STALE;
            update(e, mac, to, source);
        }
    }

    private void update(Neighbour e, long mac, Neighbour.State to, String source) {
        List<Neighbour.Held> release;
        synchronized (e) {
            e.mac = mac;
            e.source = source;
            e.state = to;
            e.since = clock.getAsLong();
            e.usedWhileStale = false;
            e.lastProbe = 0;
            release = e.held.isEmpty() ? List.of() : e.takeHeld();
        }
        if (!release.isEmpty()) {
            actions.release(e, release);
        }
    }

    /** Ages entries, probes, gives up: run by the router's timer, every 100 ms or so. */
    void tick() {
        long now = clock.getAsLong();
        List<Neighbour> remove = null;
        for (Neighbour e : slots) {
            if (e == null) {
                continue;
            }
            List<Neighbour.Held> failed = null;
            boolean probe = false;
            boolean ask = false;
            boolean gone = false;
            synchronized (e) {
                long age = now - e.since;
                switch (e.state) {
                    case INCOMPLETE:
                        if (age >= RESOLVE_NANOS) {
                            failed = e.takeHeld();
                            gone = true;
                        } else if (now - e.lastProbe >= PROBE_INTERVAL_NANOS) {
                            e.lastProbe = now;
                            probe = true;
                        }
                        break;
                    case REACHABLE:
                        if (age >= REACHABLE_NANOS) {
                            e.state = Neighbour.State.STALE;
                            e.since = now;
                        }
                        break;
                    case STALE:
                        if (e.usedWhileStale) {
                            e.usedWhileStale = false;
                            e.state = Neighbour.State.PROBE;
                            e.since = now;
                            e.lastProbe = now;
                            ask = true;
                        } else if (age >= STALE_GC_NANOS) {
                            gone = true;
                        }
                        break;
                    case PROBE:
                        if (age >= RESOLVE_NANOS) {
                            gone = true;
                        } else if (now - e.lastProbe >= PROBE_INTERVAL_NANOS) {
                            e.lastProbe = now;
                            probe = true;
                        }
                        break;
                    default:
                        break;
                }
            }
            if (gone) {
                if (remove == null) {
                    remove = new ArrayList<>();
                }
                remove.add(e);
            }
            if (failed != null && !failed.isEmpty()) {
                actions.unreachable(e, failed);
            }
            if (ask && !actions.lookup(e)) {
                actions.probe(e);
            } else if (probe) {
                actions.probe(e);
            }
        }
        if (remove != null) {
            remove(remove);
        }
    }

    /** Removes entries: a new table without them, published at once (open addressing cannot just null a slot). */
    private synchronized void remove(List<Neighbour> gone) {
        Neighbour[] old = slots;
        Neighbour[] fresh = new Neighbour[SLOTS];
        int n = 0;
        for (Neighbour e : old) {
            if (e != null && !gone.contains(e)) {
                int i = slot(e.hi, e.lo);
                while (fresh[i] != null) {
                    i = (i + 1) & (SLOTS - 1);
                }
                fresh[i] = e;
                n++;
            }
        }
        size = n;
        slots = fresh;
    }

    /** Forgets everything (the port went away); held packets are dropped. */
    synchronized void clear() {
        slots = new Neighbour[SLOTS];
        size = 0;
    }

    List<Neighbour> entries() {
        List<Neighbour> out = new ArrayList<>();
        for (Neighbour e : slots) {
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    long now() {
        return clock.getAsLong();
    }
}
