package org.overlaygate.varpd.overlay;

import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.search.SearchContext;

/** What one search instance may do to its overlay. Calls after the instance was replaced are ignored. */
final class VarpdSearchContext implements SearchContext {
    private final OverlayManager manager;
    private final ManagedOverlay overlay;
    private final ScheduledExecutorService scheduler;
    private volatile boolean valid = true;

    VarpdSearchContext(OverlayManager manager, ManagedOverlay overlay, ScheduledExecutorService scheduler) {
        this.manager = manager;
        this.overlay = overlay;
        this.scheduler = scheduler;
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
    public void degrade(String reason) {
        if (valid) {
            manager.pluginReported(overlay, reason);
        }
    }

    @Override
    public void restore() {
        if (valid) {
            manager.pluginReported(overlay, null);
        }
    }

    @Override
    public void invalidate(long mac) {
        OverlayDevice d = overlay.device;
        if (valid && d != null) {
            d.invalidate(mac);
        }
    }

    @Override
    public void setTarget(long mac, UnderlayAddress destination) {
        OverlayDevice d = overlay.device;
        if (valid && d != null) {
            d.setTarget(mac, destination);
        }
    }

    @Override
    public void deliverLocally(ByteBuffer frame) {
        OverlayDevice d = overlay.device;
        if (valid && d != null) {
            d.deliverLocally(frame);
        }
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
