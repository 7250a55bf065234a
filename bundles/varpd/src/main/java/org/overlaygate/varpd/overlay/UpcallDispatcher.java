package org.overlaygate.varpd.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.AddressRequest;
import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.LearnedSource;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.NotHere;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.invalidation.InvalidationInstance;
import org.overlaygate.api.search.LookupCallback;
import org.overlaygate.api.search.SearchInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * varpd's upcall threads: take upcalls from the data path and hand each to the plugin instance of
 * its overlay. Nothing here takes a lock: the overlay and its instances are read from a concurrent
 * map and volatile fields, so a plugin being started, stopped or replaced elsewhere never holds up
 * a lookup. An upcall whose instance is absent (its plugin is being replaced) is left: a miss is
 * issued again by the data path and answered by the next instance; a learned source or a not-here
 * report comes again with the next frame. Anything a plugin throws costs that one upcall (counted
 * on the overlay), never the thread. How long each search plugin takes to answer a miss, from here
 * to its answer, is counted in a histogram per plugin (for the metrics).
 */
final class UpcallDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(UpcallDispatcher.class);
    static final String PLUGIN_FAILED = "plugin_failed";
    static final String NO_SEARCH_INSTANCE = "upcall_no_plugin";
    /** An answer from a search instance that was stopped (replaced) after it was asked: not applied. */
    static final String LATE_ANSWER = "late_answer_ignored";
    private static final long POLL_MILLIS = 200;

    private final Supplier<DataPath> dataPath;
    private final Function<String, ManagedOverlay> overlays;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private volatile long lastErrorLog;
    private final Map<String, LatencyHistogram> lookupLatency = new ConcurrentHashMap<>();

    UpcallDispatcher(Supplier<DataPath> dataPath, Function<String, ManagedOverlay> overlays, int threadCount) {
        this.dataPath = dataPath;
        this.overlays = overlays;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::run, "og-varpd-upcall-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    void start() {
        running = true;
        threads.forEach(Thread::start);
    }

    void stop() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(2 * POLL_MILLIS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void run() {
        while (running) {
            try {
                DataPath dp = dataPath.get();
                if (dp == null) {
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                Upcall upcall = dp.takeUpcall(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (upcall != null) {
                    dispatch(upcall);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                logRarely("taking an upcall failed: " + e);
            }
        }
    }

    /** Hands one upcall to its plugin; never throws. */
    void dispatch(Upcall upcall) {
        ManagedOverlay m = overlays.apply(upcall.deviceName());
        if (m == null) {
            return; // the overlay was deleted meanwhile
        }
        try {
            switch (upcall.kind()) {
                case MISS:
                    lookup(m, (MissRequest) upcall);
                    break;
                case LEARNED:
                    learned(m, (LearnedSource) upcall);
                    break;
                case NOT_HERE:
                    notHere(m, (NotHere) upcall);
                    break;
                case ADDRESS_REQUEST:
                    AddressProxy.handle(m, (AddressRequest) upcall);
                    break;
                default:
                    break;
            }
        } catch (RuntimeException | LinkageError e) {
            count(m, PLUGIN_FAILED);
            logRarely("overlay " + m.name() + ": a plugin failed an upcall (" + upcall.kind() + "): " + e);
        }
    }

    private void lookup(ManagedOverlay m, MissRequest miss) {
        SearchInstance instance = m.searchInstance;
        if (instance == null) {
            count(m, NO_SEARCH_INSTANCE); // asked again by the data path once the plugin is back
            return;
        }
        LatencyHistogram h = lookupLatency.computeIfAbsent(m.definition.search, k -> new LatencyHistogram());
        instance.lookup(miss.request(), new Timed(m, instance, miss, h, System.nanoTime()));
    }

    /** Lookup latency so far, by search plugin name. */
    Map<String, LatencyHistogram.Snapshot> lookupLatency() {
        Map<String, LatencyHistogram.Snapshot> out = new TreeMap<>();
        lookupLatency.forEach((search, h) -> out.put(search, h.snapshot()));
        return out;
    }

    /**
     * A miss's callback: passes the answer on only while the instance that was asked still serves
     * the overlay (a stopped one's late answer may be stale: the miss is asked of its successor
     * instead, as for any unanswered miss), and counts how long the answer took, once.
     */
    private static final class Timed implements LookupCallback {
        private final ManagedOverlay overlay;
        private final SearchInstance asked;
        private final MissRequest miss;
        private final LatencyHistogram histogram;
        private final long start;
        private final AtomicBoolean answered = new AtomicBoolean();

        Timed(ManagedOverlay overlay, SearchInstance asked, MissRequest miss, LatencyHistogram histogram, long start) {
            this.overlay = overlay;
            this.asked = asked;
            this.miss = miss;
            this.histogram = histogram;
            this.start = start;
        }

        /** Whether the answer may reach the data path. */
        private boolean current() {
            if (overlay.searchInstance != asked) {
                count(overlay, LATE_ANSWER);
                return false;
            }
            if (answered.compareAndSet(false, true)) {
                histogram.record(System.nanoTime() - start);
            }
            return true;
        }

        @Override
        public void respond(UnderlayAddress destination) {
            if (current()) {
                miss.respond(destination);
            }
        }

        @Override
        public void drop(String reason) {
            if (current()) {
                miss.drop(reason);
            }
        }
    }

    private static void learned(ManagedOverlay m, LearnedSource source) {
        SearchInstance instance = m.searchInstance;
        if (instance == null || !m.policy().learns()) {
            count(m, NO_SEARCH_INSTANCE); // the next frame from it reports it again
            return;
        }
        instance.learned(source.mac(), UnderlayAddress.of(source.address(), source.port()));
    }

    private static void notHere(ManagedOverlay m, NotHere report) {
        InvalidationInstance instance = m.invalidationInstance;
        if (instance == null) {
            return; // no invalidation on this overlay, or its plugin is away: the peer's next frame reports again
        }
        instance.sendInvalidation(report.vnetId(), report.mac(), report.sender());
    }

    private static void count(ManagedOverlay m, String event) {
        OverlayDevice d = m.device;
        if (d != null) {
            d.countEvent(event);
        }
    }

    private void logRarely(String message) {
        long now = System.nanoTime();
        if (now - lastErrorLog > 10_000_000_000L) {
            lastErrorLog = now;
            LOG.warn("{}", message);
        }
    }
}
