package org.overlaygate.varpd.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.LatencyHistogram;
import org.overlaygate.api.OverlayStatus;
import org.overlaygate.varpd.plugins.PluginCatalog;
import org.overlaygate.varpd.plugins.PluginInfo;

/** overlay-api's {@link OverlayStatus}: what {@code overlay:show -f} shows and lookup latency, for metrics, the web console and readiness. */
@Component(service = OverlayStatus.class)
public final class StatusService implements OverlayStatus {
    @Reference
    private OverlayManager manager;
    @Reference
    private PluginCatalog catalog;

    public StatusService() {
    }

    StatusService(OverlayManager manager, PluginCatalog catalog) {
        this.manager = manager;
        this.catalog = catalog;
    }

    @Override
    public List<Overlay> overlays() {
        List<Overlay> out = new ArrayList<>();
        for (OverlayView v : manager.list()) {
            out.add(new Overlay(v.name, v.encap, v.search, v.invalidation, v.vnetId, v.mtu, v.reasons));
        }
        return out;
    }

    @Override
    public boolean settled() {
        return manager.settled();
    }

    @Override
    public Map<String, LatencyHistogram.Snapshot> lookupLatency() {
        return manager.lookupLatency();
    }

    @Override
    public Map<String, org.overlaygate.api.Measurements> searchMeasurements() {
        return manager.searchMeasurements();
    }

    @Override
    public List<Plugin> plugins() {
        List<Plugin> out = new ArrayList<>();
        for (PluginInfo p : catalog.list()) {
            out.add(new Plugin(p.kind, p.name, p.detail, p.bundle, p.version));
        }
        return out;
    }
}
