package org.overlaygate.search.katar;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.AddressCallback;
import org.overlaygate.api.search.AddressQuery;
import org.overlaygate.api.search.LookupCallback;
import org.overlaygate.api.search.LookupRequest;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.katar.protocol.Addresses;
import org.overlaygate.katar.protocol.Frame;
import org.overlaygate.katar.protocol.Messages.BulkAck;
import org.overlaygate.katar.protocol.Messages.BulkEntry;
import org.overlaygate.katar.protocol.Messages.BulkRequest;
import org.overlaygate.katar.protocol.Messages.BulkVl2;
import org.overlaygate.katar.protocol.Messages.Vl2Ack;
import org.overlaygate.katar.protocol.Messages.Vl2Request;
import org.overlaygate.katar.protocol.Messages.Vl3Ack;
import org.overlaygate.katar.protocol.Messages.Vl3Change;
import org.overlaygate.katar.protocol.Messages.Vl3Request;
import org.overlaygate.katar.protocol.ProtocolException;
import org.overlaygate.katar.protocol.Svp;

/**
 * One overlay served by a katar server: misses become VL2 lookups, ARP requests and neighbour
 * solicitations are answered from VL3 lookups, the host's invalidation log is applied (through
 * the shared {@link LogPoller}), and at start, and after the server dropped some of the log, BULK
 * warms the cache with the vnet's mappings. Nothing is flooded: the katar model knows every MAC.
 */
final class KatarSearch implements SearchInstance, ServerPool.Listener, LogPoller.Target {
    static final String NOT_FOUND = "not_found";
    static final String MAPPED_HERE = "mapped_here";
    /** Event: an answer given after an invalidation that a re-confirmation past the server's cache lifetime contradicted. */
    static final String STALE_AFTER_INVALIDATION = "stale_after_invalidation";
    private static final int TRYAGAIN_TRIES = 3;

    private final SearchContext context;
    private final Pools pools;
    private final String host;
    private final int port;
    /** {@code katar/bulk=auto}: warm the cache with BULK from servers not known to lack it. */
    private final boolean bulkAuto;
    private final long vnetId;
    private final TargetPolicy policy;
    private final Latency latency = new Latency();
    /** The same durations in the buckets metrics export. */
    private final org.overlaygate.api.LatencyHistogram lookupDuration = new org.overlaygate.api.LatencyHistogram();
    private final InstanceMeasurements measurements = new InstanceMeasurements(this::stats, lookupDuration);
    private final LongAdder lookups = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder notFound = new LongAdder();
    private final LongAdder tryAgain = new LongAdder();
    private final LongAdder unanswered = new LongAdder();
    private final LongAdder proxyLookups = new LongAdder();
    private final LongAdder proxyAnswered = new LongAdder();
    private final LongAdder logVl2 = new LongAdder();
    private final LongAdder logVl3 = new LongAdder();
    private final LongAdder logOverflows = new LongAdder();
    private final LongAdder announced = new LongAdder();
    private final LongAdder bulkEntries = new LongAdder();
    private final LongAdder bulkRuns = new LongAdder();
    private final LongAdder bulkUnsupported = new LongAdder();
    private volatile ServerPool pool;
    private volatile LogPoller poller;
    private volatile UnderlayAddress self;
    private volatile boolean stopped;
    /** Whether a BULK warm-up is due (at start and after an overflow entry) and not yet begun. */
    private boolean warmDue = true;
    private boolean warming;
    /** The warm-up waits for another overlay's BULK question to a server (asked once at a time). */
    private boolean waitingForBulk;

    /** {@code katar/reconfirm_ms}: how long after an invalidation its answers are confirmed again (0: never). */
    private final long reconfirmMs;
    private volatile Reconfirmations reconfirm;

    KatarSearch(SearchContext context, Pools pools, String host, int port, boolean bulkAuto, long reconfirmMs) {
        this.reconfirmMs = reconfirmMs;
        this.context = context;
        this.pools = pools;
        this.host = host;
        this.port = port;
        this.bulkAuto = bulkAuto;
        this.vnetId = context.vnetId();
        this.policy = TargetPolicy.lookup(pools.settings().lifetime());
    }

    /**
     * Joins the shared connections to the server and the host's log; never waits for the network.
     *
     * @throws IllegalStateException when the overlay's underlay address is not known yet (its
     *     encapsulation is not bound): the log is kept per underlay address
     */
    @Override
    public void start() {
        UnderlayAddress me = context.underlayAddress();
        if (me == null) {
            throw new IllegalStateException("the overlay's underlay address is not known yet (its encapsulation is not bound)");
        }
        self = me;
        reconfirm = new Reconfirmations(reconfirmMs, pools.settings().maxWaiting(), context.scheduler(), this::askAfresh);
        context.setFloodTargets(List.of(), false); // katar knows every MAC: nothing is flooded
        ServerPool p = pools.acquire(host, port);
        pool = p;
        poller = p.poller(me.address());
        poller.register(vnetId, this);
        p.addListener(this); // reachable() at once when it is: that warms the cache
    }

    @Override
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        Reconfirmations r = reconfirm;
        if (r != null) {
            r.stop();
        }
        ServerPool p = pool;
        if (p == null) {
            return;
        }
        p.removeListener(this);
        LogPoller l = poller;
        if (l != null && l.unregister(vnetId, this)) {
            p.dropPoller(l);
        }
        pools.release(p);
    }

    @Override
    public TargetPolicy targetPolicy() {
        return policy;
    }

    @Override
    public boolean proxiesAddresses() {
        return true;
    }

    // ---------------------------------------------------------------- reachability

    @Override
    public void reachable() {
        if (stopped) {
            return;
        }
        context.restore();
        warm();
    }

    @Override
    public void unreachable(String reason) {
        if (!stopped) {
            context.degrade("cannot reach any katar server at " + pool.label + ": " + reason);
        }
    }

    // ---------------------------------------------------------------- lookups

    /** Where a mapping's answer sends frames: its address, with the port when the overlay's underlay has ports. */
    private UnderlayAddress destination(byte[] ip, int mappedPort) {
        return UnderlayAddress.of(Addresses.fromWire(ip), self.port() == 0 ? 0 : mappedPort);
    }

    private boolean isSelf(UnderlayAddress d) {
        return d.address().equals(self.address());
    }

    @Override
    public void lookup(LookupRequest request, LookupCallback callback) {
        if (request.isGroup()) {
            callback.drop("group_address"); // never asked: group frames are not looked up
            return;
        }
        lookups.increment();
        vl2(request.destinationMac(), callback::respond, callback::drop, System.nanoTime(), 1);
    }

    /**
     * A VL2 lookup; the answer goes to {@code respond} or {@code drop}, nothing when none could be
     * had. (Not a LookupCallback: implementing varpd's provider type would tie this plugin to one
     * minor version of the search API.)
     */
    private void vl2(long mac, Consumer<UnderlayAddress> respond, Consumer<String> drop, long began, int attempt) {
        ServerPool p = pool;
        if (p == null || stopped) {
            return; // asked again of the next instance
        }
        p.submit(new Request(Svp.OP_VL2_REQ, new Vl2Request(mac, vnetId).encode(), new WaitKey(this, 2, mac)) {
            @Override
            protected void reply(Frame reply) {
                Vl2Ack ack;
                try {
                    ack = Vl2Ack.decode(reply.payload());
                } catch (ProtocolException e) {
                    p.reject(this, "VL2_ACK: " + e.getMessage());
                    unanswered.increment(); // the data path asks again
                    return;
                }
                if (ack.status() == Svp.STATUS_TRYAGAIN) {
                    tryAgain.increment();
                    if (attempt < TRYAGAIN_TRIES) {
                        p.timer().schedule(() -> vl2(mac, respond, drop, began, attempt + 1), p.settings().tryAgainMs(), TimeUnit.MILLISECONDS);
                    } else {
                        unanswered.increment();
                    }
                    return;
                }
                long took = System.nanoTime() - began;
                latency.record(took);
                lookupDuration.record(took);
                if (ack.status() != Svp.STATUS_OK) {
                    notFound.increment(); // any other status: illumos reads this field with the wrong width, only 0 is reliable
                    reconfirm.answered(mac, "drop " + NOT_FOUND);
                    drop.accept(NOT_FOUND);
                    return;
                }
                UnderlayAddress d = destination(ack.ip(), ack.port());
                answered.increment();
                if (isSelf(d)) {
                    reconfirm.answered(mac, "drop " + MAPPED_HERE);
                    drop.accept(MAPPED_HERE); // mapped to this host but not (yet) a VNIC here: sending it to ourselves helps nobody
                } else {
                    reconfirm.answered(mac, "at " + d);
                    respond.accept(d);
                }
            }

            @Override
            protected void failed(String why, boolean refused) {
                unanswered.increment(); // the data path asks again, and frames wait within their bounds
            }
        });
    }

    @Override
    public void proxyAddress(AddressQuery query, AddressCallback callback) {
        proxyLookups.increment();
        vl3(query.target(), 1).whenComplete((ack, error) -> {
            if (error != null || ack == null || ack.status() != Svp.STATUS_OK) {
                callback.unknown();
                return;
            }
            UnderlayAddress d = destination(ack.ip(), ack.port());
            if (!isSelf(d)) {
                context.setTarget(ack.mac(), d); // the asker's first frame to it needs no VL2 lookup
            }
            proxyAnswered.increment();
            callback.answer(ack.mac());
        });
    }

    /** A VL3 lookup; completes with the answer (NOTFOUND included), or null when none could be had. */
    private CompletableFuture<Vl3Ack> vl3(InetAddress ip, int attempt) {
        CompletableFuture<Vl3Ack> out = new CompletableFuture<>();
        ServerPool p = pool;
        if (p == null || stopped) {
            out.complete(null);
            return out;
        }
        p.submit(new Request(Svp.OP_VL3_REQ, new Vl3Request(Addresses.toWire(ip), Addresses.vl3Type(ip), vnetId).encode(),
                new WaitKey(this, 3, ip)) {
            @Override
            protected void reply(Frame reply) {
                Vl3Ack ack;
                try {
                    ack = Vl3Ack.decode(reply.payload());
                } catch (ProtocolException e) {
                    p.reject(this, "VL3_ACK: " + e.getMessage());
                    out.complete(null);
                    return;
                }
                if (ack.status() == Svp.STATUS_TRYAGAIN && attempt < TRYAGAIN_TRIES) {
                    tryAgain.increment();
                    p.timer().schedule(() -> vl3(ip, attempt + 1).whenComplete((a, e) -> out.complete(a)), p.settings().tryAgainMs(),
                            TimeUnit.MILLISECONDS);
                    return;
                }
                out.complete(ack);
            }

            @Override
            protected void failed(String why, boolean refused) {
                out.complete(null);
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- the log

    @Override
    public void invalidate(long mac) {
        logVl2.increment();
        reconfirm.invalidated(mac); // before the data path asks again: its answer is confirmed later
        context.invalidate(mac);
    }

    /** A SHOOTDOWN (through the overlay's invalidation plugin): the lookup it causes is confirmed again later. */
    @Override
    public void invalidated(long mac) {
        Reconfirmations r = reconfirm;
        if (r != null && !stopped) {
            r.invalidated(mac);
        }
    }

    /** How a VL3 answer is compared with a later one. */
    private String vl3Answer(Vl3Ack ack) {
        return ack.status() != Svp.STATUS_OK ? "status " + ack.status()
                : org.overlaygate.api.MacAddress.format(ack.mac()) + " at " + destination(ack.ip(), ack.port());
    }

    /** Installs a VL3 answer's destination and tells the local VNICs (a moved address). */
    private void applyVl3(InetAddress ip, Vl3Ack ack) {
        UnderlayAddress d = destination(ack.ip(), ack.port());
        if (!isSelf(d)) {
            context.setTarget(ack.mac(), d);
        }
        context.announce(ip, ack.mac()); // gratuitous ARP / unsolicited NA to the local VNICs
        announced.increment();
    }

    /** A re-confirmation's lookup: a MAC (VL2) or an address (VL3) asked afresh, with how to apply the answer. */
    private CompletableFuture<Reconfirmations.Fresh> askAfresh(Object key) {
        if (key instanceof InetAddress ip) {
            return vl3(ip, 1).thenApply(ack -> ack == null || ack.status() == Svp.STATUS_TRYAGAIN ? null
                    : new Reconfirmations.Fresh(vl3Answer(ack), () -> {
                        if (ack.status() == Svp.STATUS_OK) {
                            applyVl3(ip, ack);
                        }
                    }));
        }
        long mac = (Long) key;
        CompletableFuture<Reconfirmations.Fresh> out = new CompletableFuture<>();
        vl2(mac, destination -> out.complete(new Reconfirmations.Fresh("at " + destination, () -> context.setTarget(mac, destination))),
                reason -> out.complete(new Reconfirmations.Fresh("drop " + reason, () -> context.invalidate(mac))), // asked again: a DROP
                System.nanoTime(), 1);
        return out;
    }

    @Override
    public CompletableFuture<Boolean> vl3Changed(Vl3Change change) {
        InetAddress ip = Addresses.fromWire(change.ip());
        return vl3(ip, 1).thenApply(ack -> {
            if (ack == null || ack.status() == Svp.STATUS_TRYAGAIN) {
                return false; // keep the entry: the next poll tries again
            }
            logVl3.increment();
            reconfirm.invalidated(ip);
            reconfirm.answered(ip, vl3Answer(ack)); // installed now, confirmed again past a server cache's lifetime
            if (ack.status() == Svp.STATUS_OK) {
                applyVl3(ip, ack);
            }
            return true; // NOTFOUND: the address is gone, nothing to install or announce
        });
    }

    @Override
    public void overflow() {
        logOverflows.increment();
        // Changes were dropped from this host's log: whatever the cache holds may be stale, and
        // BULK only tells what exists now, not what went. Start from nothing and warm again.
        context.flushTargets();
        synchronized (this) {
            warmDue = true;
        }
        warm();
    }

    // ---------------------------------------------------------------- BULK

    /**
     * Warms the cache with the vnet's mappings, page by page, then reads the log. BULK is our
     * extension: a server is asked once (by one overlay at a time, see {@link BulkSupport}), and one
     * that does not answer within the BULK timeout, refuses, or closes the connection on it (Joyent's
     * portolan crashes) is never asked again, nor is a BULK_REQ ever sent a second time. Misses are
     * looked up one by one meanwhile, and start never waits for any of it. {@code katar/bulk=off}
     * never asks.
     */
    private void warm() {
        ServerPool p = pool;
        synchronized (this) {
            if (!warmDue || warming || stopped || p == null || !p.reachable()) {
                return; // not due, under way, or no server up (warmed when one is)
            }
            warmDue = false;
            warming = true;
            waitingForBulk = false;
        }
        if (!bulkAuto) {
            warmed();
            return;
        }
        BulkSupport bulk = p.bulk();
        KatarConnection chosen = null;
        boolean wait = false;
        List<KatarConnection> up = p.upConnections();
        for (KatarConnection c : up) {
            if (bulk.known(c.address) == BulkSupport.Known.YES) {
                chosen = c;
                break;
            }
        }
        Runnable again = this::bulkQuestionAnswered;
        for (int i = 0; chosen == null && i < up.size(); i++) {
            KatarConnection c = up.get(i);
            switch (bulk.ask(c.address, again)) {
                case UNKNOWN: // this overlay asks, and reports the outcome
                case YES:
                    chosen = c;
                    break;
                case ASKING:
                    wait = true; // told when the other overlay knows
                    break;
                default:
                    break; // NO: never asked again
            }
        }
        if (chosen == null) {
            if (wait) {
                synchronized (this) {
                    waitingForBulk = true; // warming stays set: bulkQuestionAnswered starts again
                }
                return;
            }
            warmed(); // every server up lacks BULK: misses are looked up one by one
            return;
        }
        bulkRuns.increment();
        page(p, chosen, BulkRequest.vnet(Svp.BULK_VL2, vnetId), 0);
    }

    /** Another overlay's BULK question to a server was answered: warm up now, one way or the other. */
    private void bulkQuestionAnswered() {
        synchronized (this) {
            if (!waitingForBulk) {
                return; // warmed meanwhile through another server
            }
            waitingForBulk = false;
            warming = false;
            warmDue = true;
        }
        warm();
    }

    private void page(ServerPool p, KatarConnection c, BulkRequest ask, int installed) {
        BulkPage r = new BulkPage(p, c, ask, installed);
        p.sendOn(c, r);
        p.timer().schedule(r::giveUp, p.settings().bulkTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    /** One BULK_REQ page, sent once only (never again after its connection closed), given up on after the BULK timeout. */
    private final class BulkPage extends Request {
        private final ServerPool p;
        private final KatarConnection c;
        private final BulkRequest ask;
        private final int installed;
        private boolean givenUp;

        BulkPage(ServerPool p, KatarConnection c, BulkRequest ask, int installed) {
            super(Svp.OP_BULK_REQ, ask.encode(), null, true);
            this.p = p;
            this.c = c;
            this.ask = ask;
            this.installed = installed;
        }

        /** Claims the outcome: false when the timeout, a reply or a failure already did. */
        private synchronized boolean claim() {
            if (givenUp) {
                return false;
            }
            givenUp = true;
            return true;
        }

        @Override
        protected void reply(Frame reply) {
            if (!claim()) {
                p.bulk().answered(c.address); // merely slow: worth asking next time
                return;
            }
            BulkAck ack;
            try {
                ack = BulkAck.decode(reply.payload());
            } catch (ProtocolException e) {
                p.reject(this, "BULK_ACK: " + e.getMessage());
                p.bulk().refused(c.address, "answered BULK_REQ with a malformed BULK_ACK");
                bulkUnsupported.increment();
                warmed();
                return;
            }
            if (ack.status() != Svp.STATUS_OK) {
                p.bulk().refused(c.address, "answered BULK_REQ " + Svp.statusName(ack.status())); // BADBULK, or FATAL
                bulkUnsupported.increment();
                warmed();
                return;
            }
            p.bulk().answered(c.address);
            int n = installed;
            BulkEntry last = null;
            for (BulkEntry e : ack.entries()) {
                last = e;
                if (e instanceof BulkVl2 v && v.vnetId() == vnetId && n < p.settings().bulkMaxEntries() && !stopped) {
                    UnderlayAddress d = destination(v.ip(), v.port());
                    if (!isSelf(d)) {
                        context.setTarget(v.mac(), d);
                        bulkEntries.increment();
                        n++;
                    }
                }
            }
            if (ack.more() && last != null && n < p.settings().bulkMaxEntries() && !stopped) {
                page(p, c, ask.after(last.vnetId(), last.key()), n);
            } else {
                warmed();
            }
        }

        @Override
        protected void failed(String why, boolean refused) {
            if (!claim()) {
                return; // given up on already (and the server remembered as lacking BULK)
            }
            if (refused) {
                p.bulk().refused(c.address, "refused BULK_REQ as an unknown operation");
                bulkUnsupported.increment();
            } else if (lostWithConnection) {
                p.bulk().refused(c.address, "closed the connection on BULK_REQ");
                bulkUnsupported.increment();
            } else {
                p.bulk().undecided(c.address); // never reached the server, or this side closed the connection
                synchronized (KatarSearch.this) {
                    warmDue = true; // warm up when a server is back
                }
            }
            warmed();
        }

        /** The BULK timeout: a plain SVP server may never answer, and keep the connection open. */
        void giveUp() {
            if (isDone() || !claim()) {
                return;
            }
            timeoutExempt = true; // the connection is fine: the request timeout must not tear it down
            p.bulk().refused(c.address, "did not answer BULK_REQ within " + p.settings().bulkTimeoutMs() + " ms");
            bulkUnsupported.increment();
            warmed();
        }
    }

    private void warmed() {
        synchronized (this) {
            warming = false;
        }
        LogPoller l = poller;
        if (l != null && !stopped) {
            l.pollSoon(); // BULK pages are no snapshot: the log follows them
        }
    }

    // ---------------------------------------------------------------- statistics

    /** The pool of this overlay's server while started, else null (for tests). */
    ServerPool pool() {
        return pool;
    }

    @Override
    public Map<String, Long> stats() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("lookups", lookups.sum());
        s.put("lookups_answered", answered.sum());
        s.put("lookups_not_found", notFound.sum());
        s.put("lookups_unanswered", unanswered.sum());
        s.put("tryagain", tryAgain.sum());
        s.put("lookup_latency_p50_us", latency.quantileMicros(0.5));
        s.put("lookup_latency_p99_us", latency.quantileMicros(0.99));
        s.put("proxy_lookups", proxyLookups.sum());
        s.put("proxy_answered", proxyAnswered.sum());
        s.put("log_vl2_applied", logVl2.sum());
        s.put("log_vl3_applied", logVl3.sum());
        s.put("log_overflows", logOverflows.sum());
        s.put("announced", announced.sum());
        s.put("bulk_runs", bulkRuns.sum());
        s.put("bulk_entries", bulkEntries.sum());
        s.put("bulk_unsupported", bulkUnsupported.sum());
        Reconfirmations r = reconfirm;
        s.put("reconfirmed", r == null ? 0 : r.confirmed());
        s.put(STALE_AFTER_INVALIDATION, r == null ? 0 : r.contradicted());
        s.put("reconfirm_skipped", r == null ? 0 : r.skipped());
        LogPoller l = poller;
        if (l != null) {
            s.put("log_polls", l.polls());
            s.put("log_entries_received", l.received());
            s.put("log_entries_removed", l.removed());
            s.put("log_ack_oversize", l.oversize());
            s.put("log_rm_refused", l.rmRefused());
        }
        ServerPool p = pool;
        if (p != null) {
            s.putAll(p.stats());
        }
        return s;
    }

    @Override
    public org.overlaygate.api.Measurements measurements() {
        return measurements;
    }

    /** What a waiting request is for, so that a newer one for the same replaces it. */
    private record WaitKey(KatarSearch instance, int kind, Object what) {
    }
}
