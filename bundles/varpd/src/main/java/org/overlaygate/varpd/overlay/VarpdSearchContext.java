package org.overlaygate.varpd.overlay;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.MulticastGroup;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.search.SearchContext;
import org.overlaygate.varpd.proxy.AddressQuery;
import org.overlaygate.varpd.proxy.ProxyFrames;
import org.overlaygate.varpd.proxy.Result;

/**
 * What one search instance may do to its overlay. What it asks of the device is also remembered
 * on the overlay, so that a device made later (the data path was replaced) gets it too. Calls after
 * the instance was stopped are ignored.
 */
final class VarpdSearchContext implements SearchContext {
    static final String ANNOUNCED = "announced";
    private final ManagedOverlay overlay;
    private final ScheduledExecutorService scheduler;
    private final Runnable reasonsChanged;
    private volatile boolean valid = true;

    VarpdSearchContext(ManagedOverlay overlay, ScheduledExecutorService scheduler, Runnable reasonsChanged) {
        this.overlay = overlay;
        this.scheduler = scheduler;
        this.reasonsChanged = reasonsChanged;
    }

    void invalidateContext() {
        valid = false;
    }

    private OverlayDevice device() {
        return valid ? overlay.device : null;
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

    @Override
    public void degrade(String reason) {
        if (valid) {
            overlay.searchReports(reason);
            reasonsChanged.run();
        }
    }

    @Override
    public void restore() {
        if (valid) {
            overlay.searchReports(null);
            reasonsChanged.run();
        }
    }

    @Override
    public void invalidate(long mac) {
        OverlayDevice d = device();
        if (d != null) {
            d.invalidate(mac);
        }
    }

    @Override
    public void flushTargets() {
        OverlayDevice d = device();
        if (d != null) {
            d.flushTargets();
        }
    }

    @Override
    public void setTarget(long mac, UnderlayAddress destination) {
        OverlayDevice d = device();
        if (d != null) {
            d.setTarget(mac, destination, TargetEntry.Origin.LOOKUP);
        }
    }

    @Override
    public void learnTarget(long mac, UnderlayAddress destination) {
        OverlayDevice d = device();
        if (d != null) {
            d.setTarget(mac, destination, TargetEntry.Origin.LEARNED);
        }
    }

    @Override
    public void setFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast) {
        if (!valid) {
            return;
        }
        List<UnderlayAddress> targets = List.copyOf(destinations);
        overlay.want(s -> s.withFloodTargets(targets, unknownUnicast));
        OverlayDevice d = overlay.device;
        if (d != null) {
            d.setFloodTargets(destinations, unknownUnicast);
        }
    }

    @Override
    public void joinGroup(InetAddress group, String interfaceName, int ttl) {
        if (!valid) {
            return;
        }
        MulticastGroup wanted = group == null ? null : MulticastGroup.of(group, interfaceName, ttl);
        overlay.want(s -> s.withMulticastGroup(wanted));
        OverlayDevice d = overlay.device;
        if (d != null) {
            try {
                d.setMulticastGroup(group, interfaceName, ttl);
            } catch (DataPathException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }

    @Override
    public void announce(InetAddress ip, long mac) {
        OverlayDevice d = device();
        if (d == null) {
            return;
        }
        Result<byte[]> frame = ProxyFrames.announce(ip, mac, AddressQuery.UNTAGGED);
        if (!frame.ok()) {
            throw new IllegalArgumentException("cannot announce " + ip.getHostAddress() + ": " + frame.refusal());
        }
        d.countEvent(ANNOUNCED);
        d.deliverLocally(java.nio.ByteBuffer.wrap(frame.value()));
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
