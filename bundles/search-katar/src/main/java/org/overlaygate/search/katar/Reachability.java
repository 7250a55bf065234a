package org.overlaygate.search.katar;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a katar server name is reachable, and telling its listeners: UP while a connection is,
 * DOWN once every address has failed a (re)connect or the name does not resolve, and nothing new
 * in between (a connection torn down that comes straight back is no outage). Each listener hears
 * each change once, in order, and never a state that is no longer true.
 */
final class Reachability {
    private static final Logger LOG = LoggerFactory.getLogger(Reachability.class);

    /** Told when the server becomes reachable or stops being so; called on the client's threads. */
    interface Listener {
        void reachable();

        void unreachable(String reason);
    }

    /** What the owner knows of its connections, read under this object's lock. */
    interface Connections {
        /** At least one connection is up. */
        boolean anyUp();

        /** Every address failed its last (re)connect, or the name does not resolve. */
        boolean allFailed();
    }

    private enum Reach {
        UNKNOWN, UP, DOWN
    }

    /** A listener and what it was last told. */
    private static final class Told {
        final Listener listener;
        Reach told = Reach.UNKNOWN;

        Told(Listener listener) {
            this.listener = listener;
        }
    }

    private final String label;
    private final Connections connections;
    private final List<Told> listeners = new CopyOnWriteArrayList<>();
    private Reach reach = Reach.UNKNOWN;
    private volatile String lastError = "not tried yet";
    private volatile boolean closed;

    Reachability(String label, Connections connections) {
        this.label = label;
        this.connections = connections;
    }

    /** What went wrong last: shown with DEGRADED. */
    void error(String why) {
        lastError = why;
    }

    String lastError() {
        return lastError;
    }

    void addListener(Listener l) {
        listeners.add(new Told(l));
        tell();
    }

    void removeListener(Listener l) {
        listeners.removeIf(t -> t.listener == l);
    }

    /**
     * Looks at the connections again and tells the listeners if that changed anything. The view is
     * taken under this object's lock: the resolve thread and a connect thread both call this at
     * start, and a view computed before the connect completed (not up, yet tried by the time it is
     * read) must not overwrite the newer UP (it left an overlay DEGRADED, "not tried yet", until the
     * next resolve 30 s on). Lock order: this, then a connection.
     */
    void update() {
        synchronized (this) {
            boolean up = connections.anyUp();
            boolean down = !up && connections.allFailed();
            Reach before = reach;
            Reach now = up ? Reach.UP : down ? Reach.DOWN : before == Reach.UP ? Reach.UNKNOWN : before;
            if (now == before || now == Reach.UNKNOWN) {
                reach = now;
                return;
            }
            reach = now;
            if (now == Reach.UP) {
                LOG.info("katar server {} reachable", label);
            } else {
                LOG.warn("cannot reach any katar server at {}: {}", label, lastError);
            }
        }
        tell();
    }

    private void tell() {
        synchronized (listeners) {
            Reach now;
            synchronized (this) {
                now = reach;
            }
            if (now == Reach.UNKNOWN || closed) {
                return;
            }
            for (Told t : listeners) {
                if (t.told != now) {
                    t.told = now;
                    if (now == Reach.UP) {
                        t.listener.reachable();
                    } else {
                        t.listener.unreachable(lastError);
                    }
                }
            }
        }
    }

    void close() {
        closed = true;
    }
}
