package org.overlaygate.search.katar;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages;
import org.overlaygate.katar.protocol.Messages.LogAck;
import org.overlaygate.katar.protocol.Messages.LogEntry;
import org.overlaygate.katar.protocol.Messages.LogRequest;
import org.overlaygate.katar.protocol.Messages.StatusOnly;
import org.overlaygate.katar.protocol.Messages.Vl2Invalidation;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;

/**
 * The invalidation log of one host (one underlay address) at one katar server, shared by every
 * overlay of the host that uses the server: the log is kept per host, not per vnet, so one poller
 * reads it and hands each entry to the overlays of its vnet.
 *
 * <p>Every 5 to 10 s (random), LOG_REQ for the address; each entry is applied (a VL2 entry forgets
 * the MAC; a VL3 entry is looked up again, installed and announced; an overflow entry, the
 * broadcast MAC, has the overlay re-read its vnet), the applied ones are removed with LOG_RM, and
 * while entries keep coming the next poll follows after 1 s. Entries of vnets no overlay here
 * serves are removed unapplied. An entry whose VL3 lookup could not be answered stays for the next
 * poll. A LOG_ACK longer than asked is accepted when it runs past the count by its 4-byte status
 * word, as portolan's moray backend sends it (illumos accepts it too); anything longer, or
 * malformed, closes the connection.
 */
final class LogPoller {
    /** A VL2 entry for this MAC means: entries of the vnet were dropped, re-read it (katar server ext). */
    static final long OVERFLOW_MAC = 0xFFFF_FFFF_FFFFL;

    /** An overlay reading the log. Methods are called on pool threads and must not block. */
    interface Target {
        /** A VL2 entry: forget the MAC. */
        void invalidate(long mac);

        /** A VL3 entry: completes true once applied (or when there is nothing to apply), false to keep it for later. */
        CompletableFuture<Boolean> vl3Changed(Vl3Change change);

        /** Entries of this vnet were dropped by the server's log cap: re-read the vnet. */
        void overflow();
    }

    private final ServerPool pool;
    private final InetAddress underlay;
    private final byte[] wire;
    private final Map<Long, List<Target>> targets = new ConcurrentHashMap<>();
    private final LongAdder polls = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder removed = new LongAdder();
    private final LongAdder oversize = new LongAdder();
    private final LongAdder rmRefused = new LongAdder();
    private ScheduledFuture<?> next;
    private boolean polling;
    private boolean closed;
    /** A poll found no server up: poll as soon as a connection is (see {@link #connected}). */
    private boolean missed;

    LogPoller(ServerPool pool, InetAddress underlay) {
        this.pool = pool;
        this.underlay = underlay;
        this.wire = Addresses.toWire(underlay);
    }

    InetAddress underlay() {
        return underlay;
    }

    synchronized void register(long vnetId, Target t) {
        targets.computeIfAbsent(vnetId, v -> new CopyOnWriteArrayList<>()).add(t);
        if (next == null && !polling) {
            schedule(randomPause());
        }
    }

    /** Returns true when no overlay reads this log any more (the poller is then closed). */
    synchronized boolean unregister(long vnetId, Target t) {
        List<Target> list = targets.get(vnetId);
        if (list != null) {
            list.remove(t);
            if (list.isEmpty()) {
                targets.remove(vnetId);
            }
        }
        if (targets.isEmpty()) {
            close();
            return true;
        }
        return false;
    }

    /** Polls now (after a BULK warm-up, which must be followed by the log). */
    void pollSoon() {
        schedule(0);
    }

    /** A connection came up: a poll missed while none was (after a warm-up, say) is made now, not a pause later. */
    void connected() {
        synchronized (this) {
            if (!missed) {
                return;
            }
            missed = false;
        }
        pollSoon();
    }

    private long randomPause() {
        ClientSettings s = pool.settings();
        return s.logMinMs() + ThreadLocalRandom.current().nextLong(Math.max(1, s.logMaxMs() - s.logMinMs() + 1));
    }

    private synchronized void schedule(long delayMs) {
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = pool.timer().schedule(this::poll, delayMs, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        synchronized (this) {
            if (polling || closed) {
                return;
            }
            polling = true;
            next = null;
        }
        if (!pool.reachable()) {
            synchronized (this) {
                missed = true;
            }
            done(false);
            return;
        }
        polls.increment();
        long count = pool.settings().logBytes();
        pool.submit(new Request(Svp.OP_LOG_REQ, new LogRequest(count, wire).encode(), this) {
            @Override
            protected void reply(Frame reply) {
                handle(this, reply, count);
            }

            @Override
            protected void failed(String why, boolean refused) {
                done(false);
            }
        });
    }

    private void handle(Request request, Frame reply, long count) {
        byte[] p = reply.payload();
        if (p.length > count + 4) {
            oversize.increment();
            pool.reject(request, "LOG_ACK: " + p.length + " bytes of payload for a LOG_REQ count of " + count);
            done(false);
            return;
        }
        LogAck ack;
        try {
            ack = LogAck.decode(p);
        } catch (ProtocolException e) {
            pool.reject(request, "LOG_ACK: " + e.getMessage());
            done(false);
            return;
        }
        if (ack.status() != Svp.STATUS_OK) {
            done(false);
            return;
        }
        received.add(ack.entries().size());
        List<CompletableFuture<byte[]>> applied = new ArrayList<>();
        for (LogEntry e : ack.entries()) {
            applied.add(apply(e));
        }
        CompletableFuture.allOf(applied.toArray(new CompletableFuture<?>[0])).whenComplete((v, error) -> {
            List<byte[]> ids = new ArrayList<>();
            for (CompletableFuture<byte[]> f : applied) {
                byte[] id = f.getNow(null);
                if (id != null) {
                    ids.add(id);
                }
            }
            if (!ids.isEmpty()) {
                removeEntries(ids);
            }
            done(!ack.entries().isEmpty());
        });
    }

    /** Applies one entry; completes with its id when it may be removed, null when it must stay. */
    private CompletableFuture<byte[]> apply(LogEntry e) {
        if (e instanceof Vl2Invalidation v) {
            List<Target> ts = targets.getOrDefault(v.vnetId(), List.of());
            for (Target t : ts) {
                if (v.mac() == OVERFLOW_MAC) {
                    t.overflow();
                } else {
                    t.invalidate(v.mac());
                }
            }
            return CompletableFuture.completedFuture(v.id());
        }
        Vl3Change c = (Vl3Change) e;
        List<CompletableFuture<Boolean>> each = new ArrayList<>();
        for (Target t : targets.getOrDefault(c.vnetId(), List.of())) {
            each.add(t.vl3Changed(c));
        }
        return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
                .handle((v, error) -> error == null && each.stream().allMatch(f -> Boolean.TRUE.equals(f.getNow(false))) ? c.id() : null);
    }

    private void removeEntries(List<byte[]> ids) {
        pool.submit(new Request(Svp.OP_LOG_RM, new Messages.LogRemove(ids).encode(), null) {
            @Override
            protected void reply(Frame reply) {
                try {
                    if (StatusOnly.decode(reply.payload()).status() == Svp.STATUS_OK) {
                        removed.add(ids.size());
                    } else {
                        // portolan answers FATAL and keeps the connection (and, with moray, has removed them):
                        // entries that come again are applied again, which does no harm
                        rmRefused.increment();
                    }
                } catch (ProtocolException e) {
                    pool.reject(this, "LOG_RM_ACK: " + e.getMessage());
                }
            }

            @Override
            protected void failed(String why, boolean refused) {
                // the entries come again with the next poll; applying them twice does no harm
            }
        });
    }

    private void done(boolean more) {
        synchronized (this) {
            polling = false;
        }
        schedule(more ? pool.settings().logAgainMs() : randomPause());
    }

    /** Entries received, and removed once applied, since the poller began. */
    long received() {
        return received.sum();
    }

    long removed() {
        return removed.sum();
    }

    long polls() {
        return polls.sum();
    }

    long oversize() {
        return oversize.sum();
    }

    /** LOG_RM_ACKs with a status other than OK. */
    long rmRefused() {
        return rmRefused.sum();
    }

    synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    @Override
    public String toString() {
        return "log of " + Objects.toString(underlay.getHostAddress()) + " at " + pool.label;
    }
}
