package org.overlaygate.api.datapath;

import java.util.List;

import org.overlaygate.api.UnderlayAddress;

/** One target cache entry, as {@code overlay:show -t} prints it. Immutable snapshot. */
public final class TargetEntry {
    /** Entry states, after illumos. */
    public enum State {
        /** Looked up; frames wait on it. */
        PENDING,
        /** Known destination(s). */
        VALID,
        /** Known to be unreachable; frames are dropped until it expires. */
        DROP
    }

    /** Where an entry's destination came from; it decides how the entry ages. */
    public enum Origin {
        /** Answered by the search plugin (a miss, or set by the plugin): ages by the plugin's lifetime, renewed while in use. */
        LOOKUP,
        /** Learned from a received frame's outer source: ages unless frames keep arriving from it. */
        LEARNED,
        /** Set by the operator ({@code overlay:modify -s}): never ages. */
        STATIC
    }

    private final long mac;
    private final State state;
    private final Origin origin;
    private final List<UnderlayAddress> destinations;
    private final int pendingFrames;
    private final long ageMillis;

    public TargetEntry(long mac, State state, Origin origin, List<UnderlayAddress> destinations, int pendingFrames, long ageMillis) {
        this.mac = mac;
        this.state = state;
        this.origin = origin;
        this.destinations = List.copyOf(destinations);
        this.pendingFrames = pendingFrames;
        this.ageMillis = ageMillis;
    }

    public long mac() {
        return mac;
    }

    public State state() {
        return state;
    }

    public Origin origin() {
        return origin;
    }

    /** One for unicast; empty unless VALID. */
    public List<UnderlayAddress> destinations() {
        return destinations;
    }

    public int pendingFrames() {
        return pendingFrames;
    }

    /** Milliseconds since the entry was last confirmed: answered, learned or set. */
    public long ageMillis() {
        return ageMillis;
    }
}
