package org.overlaygate.varpd.overlay;

import java.net.InetAddress;
import java.util.concurrent.ScheduledExecutorService;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.invalidation.InvalidationContext;
import org.overlaygate.api.search.SearchInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What one invalidation instance may do to its overlay. Calls after the instance was stopped are ignored. */
final class VarpdInvalidationContext implements InvalidationContext {
    static final String INVALIDATIONS_RECEIVED = "invalidations_received";
    private static final Logger LOG = LoggerFactory.getLogger(VarpdInvalidationContext.class);

    private final ManagedOverlay overlay;
    private final ScheduledExecutorService scheduler;
    private final Runnable reasonsChanged;
    private volatile boolean valid = true;

    VarpdInvalidationContext(ManagedOverlay overlay, ScheduledExecutorService scheduler, Runnable reasonsChanged) {
        this.overlay = overlay;
        this.scheduler = scheduler;
        this.reasonsChanged = reasonsChanged;
    }

    void invalidateContext() {
        valid = false;
    }

    @Override
    public String overlayName() {
        return overlay.definition.name;
    }

    @Override
    public long vnetId() {
        return overlay.definition.vnetId;
    }

    @Override
    public UnderlayAddress underlayAddress() {
        OverlayDevice d = overlay.device;
        return d == null ? null : d.listenAddress();
    }

    /**
     * Removes the entry, telling the overlay's search instance first: it may want to confirm the
     * lookup this causes again later (a server answering from a stale cache). What the search
     * plugin throws costs nothing but its own notice.
     */
    @Override
    public void invalidated(long mac) {
        OverlayDevice d = overlay.device;
        if (valid && d != null) {
            d.countEvent(INVALIDATIONS_RECEIVED);
            SearchInstance search = overlay.searchInstance;
            if (search != null) {
                try {
                    search.invalidated(mac);
                } catch (RuntimeException | LinkageError e) {
                    LOG.warn("overlay {}: the search plugin failed on an invalidation: {}", overlay.definition.name, e.toString());
                }
            }
            d.invalidate(mac);
        }
    }

    @Override
    public Outcome invalidated(long mac, InetAddress sender) {
        OverlayDevice d = overlay.device;
        if (!valid || d == null) {
            return Outcome.NO_DEVICE;
        }
        OverlayDevice.RemoteInvalidation r = d.invalidateFrom(mac, sender);
        if (r == OverlayDevice.RemoteInvalidation.APPLIED) {
            d.countEvent(INVALIDATIONS_RECEIVED);
        }
        return Outcome.valueOf(r.name());
    }

    @Override
    public void degrade(String reason) {
        if (valid) {
            overlay.invalidationReports(reason);
            reasonsChanged.run();
        }
    }

    @Override
    public void restore() {
        if (valid) {
            overlay.invalidationReports(null);
            reasonsChanged.run();
        }
    }

    @Override
    public void count(String event) {
        OverlayDevice d = overlay.device;
        if (valid && d != null) {
            d.countEvent(event);
        }
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
