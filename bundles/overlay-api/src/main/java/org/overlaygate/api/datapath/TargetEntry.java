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

    private final long mac;
    private final State state;
    private final List<UnderlayAddress> destinations;
    private final int pendingFrames;

    public TargetEntry(long mac, State state, List<UnderlayAddress> destinations, int pendingFrames) {
        this.mac = mac;
        this.state = state;
        this.destinations = List.copyOf(destinations);
        this.pendingFrames = pendingFrames;
    }

    public long mac() {
        return mac;
    }

    public State state() {
        return state;
    }

    /** One for unicast, any number for group addresses; empty unless VALID. */
    public List<UnderlayAddress> destinations() {
        return destinations;
    }

    public int pendingFrames() {
        return pendingFrames;
    }
}
