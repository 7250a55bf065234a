package org.overlaygate.itests.leak;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a plugin that leaks (OutOfMemoryIT packs this class alone into a bundle): a
 * thread that keeps what it allocates until the heap is gone, as the katar server's unbounded
 * replies once did.
 */
public final class LeakingActivator implements BundleActivator {
    static final List<byte[]> KEPT = new ArrayList<>();

    @Override
    public void start(BundleContext context) {
        Thread t = new Thread(() -> {
            while (true) {
                KEPT.add(new byte[1 << 20]);
            }
        }, "leaking-plugin");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void stop(BundleContext context) {
        // it never gets there
    }
}
