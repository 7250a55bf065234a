package org.overlaygate.varpd.overlay;

import java.util.List;

import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchPlugin;

/**
 * varpd's running state of one overlay: which device, plugin services and search instance it is
 * bound to right now, and why it is DEGRADED if it is. Guarded by the {@link OverlayManager}.
 */
final class ManagedOverlay {
    OverlayDefinition definition;
    OverlayDevice device;
    /** The plugin service whose encapsulator the device was given; null until then. */
    EncapsulationPlugin encapPlugin;
    SearchPlugin searchPlugin;
    volatile SearchInstance searchInstance;
    VarpdSearchContext context;
    /** What the search instance itself reported through its context, or null. */
    String pluginReason;
    /** A failure of the last attempt to bind a plugin, or null. */
    String bindFailure;
    List<String> reasons = List.of();

    ManagedOverlay(OverlayDefinition definition) {
        this.definition = definition;
    }

    boolean online() {
        return reasons.isEmpty();
    }
}
