package org.overlaygate.varpd.overlay;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.VnicInfo;
import org.overlaygate.varpd.plugins.PluginInfo;
import org.overlaygate.varpd.plugins.PluginLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings each overlay as close to its definition as what is present allows, and says why it falls
 * short: adopts or creates its device, binds its search and invalidation instances to the best
 * plugins present, restores its VNICs. Runs when plugins or the data path come, go or are replaced
 * (on one reconciling thread, never on the thread that reports the event), every 10 s for what
 * failed for reasons outside varpd's sight, and at start. Each overlay is reconciled under its own
 * monitor, so a plugin slow to start holds up only its overlay.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final Overlays state;
    private final PluginLookup plugins;
    private final PluginBinder binder;
    private final ExecutorService thread;
    private final DhcpBinding dhcp;
    /** Reconciliations asked for and not yet done; none and started: settled. */
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean running = true;

    Reconciler(Overlays state, PluginLookup plugins, PluginBinder binder, ExecutorService thread, DhcpBinding dhcp) {
        this.state = state;
        this.dhcp = dhcp;
        this.plugins = plugins;
        this.binder = binder;
        this.thread = thread;
    }

    void stop() {
        running = false;
    }

    boolean running() {
        return running;
    }

    /** Whether no reconciliation an event asked for is still waiting or running. */
    boolean idle() {
        return queued.get() == 0;
    }

    /** A plugin of that kind and name came, went or was replaced: reconciles the overlays that use it, later. */
    void pluginChanged(String kind, String name) {
        later(() -> {
            for (ManagedOverlay m : state.overlays.values()) {
                OverlayDefinition d = m.definition;
                boolean affected = (PluginInfo.ENCAP.equals(kind) && d.encap.equals(name))
                        || (PluginInfo.SEARCH.equals(kind) && d.search.equals(name))
                        || (PluginInfo.INVALIDATION.equals(kind) && name.equals(d.invalidation));
                if (affected && running) {
                    reconcile(m);
                }
            }
        });
    }

    /** Reconciles every overlay, later (the data path came or went). */
    void allLater() {
        later(() -> {
            for (ManagedOverlay m : state.overlays.values()) {
                if (running) {
                    reconcile(m);
                }
            }
        });
    }

    /**
     * Tries again what failed for reasons outside varpd's sight (an interface that did not exist,
     * an address not yet configured): events only tell of plugins and the data path.
     */
    void retryFailures() {
        for (ManagedOverlay m : state.overlays.values()) {
            if (running && m.needsRetry()) {
                reconcile(m);
            }
        }
    }

    /**
     * Runs a reconciliation on the reconciling thread, counted until done: the event that asked for
     * it is not yet reflected in the overlays' status.
     */
    private void later(Runnable task) {
        queued.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } finally {
                    queued.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet(); // stopped meanwhile
        }
    }

    /** Brings one overlay as close to its definition as what is present allows. */
    void reconcile(ManagedOverlay m) {
        synchronized (m) {
            if (m.deleted) {
                return;
            }
            DataPath dp = state.dataPath();
            if (dp != null && m.device == null) {
                try {
                    Optional<OverlayDevice> existing = dp.device(m.name());
                    if (existing.isPresent()) {
                        m.adopt(existing.get());
                    } else {
                        m.created(dp.createDevice(deviceConfig(m.definition)));
                    }
                } catch (DataPathException e) {
                    m.devicePart = PartState.failed("cannot create the device: " + e.getMessage());
                }
            }
            binder.bindSearch(m);
            binder.bindInvalidation(m);
            if (m.device != null) {
                restoreVnics(m, dp);
            }
            dhcp.sync(m);
            logReasons(m);
        }
    }

    static DeviceConfig deviceConfig(OverlayDefinition d) {
        return DeviceConfig.builder(d.name, d.vnetId).mtu(d.mtu).mode(d.mode).cacheMax(d.cacheMax).acceptPeersOnly(d.peersOnly)
                .encapsulation(d.encap, d.propertiesOf(d.encap)).build();
    }

    private void restoreVnics(ManagedOverlay m, DataPath dp) {
        PartState vnics = PartState.ACTIVE;
        Set<String> present = dp.vnics().stream().map(VnicInfo::name).collect(Collectors.toSet());
        for (VnicDefinition v : state.vnics.values()) {
            if (v.overlay.equals(m.name()) && !present.contains(v.name)) {
                try {
                    dp.createVnic(v.toConfig());
                } catch (DataPathException e) {
                    vnics = PartState.failed("VNIC " + v.name + " cannot be created: " + e.getMessage());
                }
            }
        }
        m.vnicPart = vnics;
    }

    /** Every reason an overlay is DEGRADED now, computed from the live state. */
    List<String> reasons(ManagedOverlay m) {
        OverlayDefinition d = m.definition;
        return m.collectReasons(state.dataPath() != null, plugins.encap(d.encap).isPresent(), plugins.search(d.search).isPresent(),
                d.invalidation == null || plugins.invalidation(d.invalidation).isPresent());
    }

    /** Logs an overlay's status when it changed. */
    void logReasons(ManagedOverlay m) {
        List<String> now = reasons(m);
        List<String> before = m.reasons;
        m.reasons = now;
        if (!now.equals(before)) {
            LOG.info("overlay {} is {}{}", m.name(), now.isEmpty() ? "ONLINE" : "DEGRADED", now.isEmpty() ? "" : ": " + String.join("; ", now));
        }
    }
}
