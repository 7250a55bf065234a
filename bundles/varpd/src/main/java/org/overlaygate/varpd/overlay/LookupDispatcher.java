package org.overlaygate.varpd.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.search.SearchInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * varpd's lookup threads: take misses from the data path and hand each to its overlay's search
 * instance, which answers through the request whenever it can. A miss of an overlay with no search
 * instance (its plugin is being replaced) is left unanswered: the core asks again shortly, and the
 * new instance answers then. A plugin that throws costs that one lookup, never the thread.
 */
final class LookupDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(LookupDispatcher.class);
    private static final long POLL_MILLIS = 200;

    private final OverlayManager manager;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    LookupDispatcher(OverlayManager manager, int threadCount) {
        this.manager = manager;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::run, "og-varpd-lookup-" + i);
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
        long lastError = 0;
        while (running) {
            try {
                DataPath dp = manager.dataPath();
                if (dp == null) {
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                MissRequest miss = dp.takeMiss(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (miss == null) {
                    continue;
                }
                SearchInstance instance = manager.searchInstanceFor(miss.deviceName());
                if (instance != null) {
                    instance.lookup(miss.request(), miss);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                long now = System.nanoTime();
                if (now - lastError > 10_000_000_000L) {
                    lastError = now;
                    LOG.warn("a search plugin failed a lookup: {}", e.toString());
                }
            }
        }
    }
}
