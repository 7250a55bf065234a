package org.overlaygate.router;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What a router knows of one next hop on one port: its MAC and how fresh that is, after Linux's
 * neighbour states (without DELAY: a stale entry in use is probed at once).
 *
 * <pre>
 *  (packet, no entry) -> INCOMPLETE --answer--> REACHABLE --30 s--> STALE --used--> PROBE --answer--> REACHABLE
 *                           |  asked: search plugin, then ARP/NS       |              |
 *                           +--3 s: held packets get host unreachable, +--60 s unused-+--3 s: removed
 *                              removed
 * </pre>
 *
 * The key and the table slot are final; the MAC and state are read without a lock on the data
 * path; every transition happens under the entry's monitor, in {@link NeighbourTable}.
 */
final class Neighbour {
    enum State {
        /** Being resolved; packets are held. */
        INCOMPLETE,
        /** Confirmed within the last 30 s. */
        REACHABLE,
        /** Not confirmed for 30 s: still used, and probed when it is. */
        STALE,
        /** Used while stale, being confirmed again; still used meanwhile. */
        PROBE
    }

    /** A packet waiting for the next hop's MAC: the frame as it will leave (destination MAC to fill), and who to tell if it never does. */
    static final class Held {
        final byte[] frame;
        final RouterPort ingress;
        final long previousHop;

        Held(byte[] frame, RouterPort ingress, long previousHop) {
            this.frame = frame;
            this.ingress = ingress;
            this.previousHop = previousHop;
        }
    }

    final long hi;
    final long lo;
    volatile long mac;
    volatile State state;
    /** Set by the data path when it used a STALE entry; read and cleared by the timer. */
    volatile boolean usedWhileStale;
    /** Where the MAC came from: arp, ndp, lookup, request (the neighbour asked us). */
    volatile String source = "";
    /** When the state last changed (nanoseconds of the table's clock). */
    long since;
    long lastProbe;
    final ArrayDeque<Held> held = new ArrayDeque<>();
    int heldBytes;

    Neighbour(long hi, long lo, State state, long now) {
        this.hi = hi;
        this.lo = lo;
        this.state = state;
        this.since = now;
    }

    boolean usable() {
        return mac != 0 && state != State.INCOMPLETE;
    }

    /** Takes the held packets (under the monitor). */
    List<Held> takeHeld() {
        List<Held> out = new ArrayList<>(held);
        held.clear();
        heldBytes = 0;
        return out;
    }
}
