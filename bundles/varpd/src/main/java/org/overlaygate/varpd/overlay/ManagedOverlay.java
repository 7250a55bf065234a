package org.overlaygate.varpd.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceSettings;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.invalidation.InvalidationInstance;
import org.overlaygate.api.invalidation.InvalidationPlugin;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchPlugin;
import org.overlaygate.api.search.TargetPolicy;

/**
 * varpd's running state of one overlay: its definition, the device it is bound to, the search and
 * invalidation instances serving it, what those instances asked of the device (kept so that a new
 * device, after the data path was replaced, gets it too), and why it is DEGRADED if it is.
 *
 * <p>Changes happen under this object's monitor, one overlay at a time; the upcall threads read the
 * volatile fields and never take it, so a plugin that is slow to start delays only its overlay's
 * commands, never a lookup.
 */
final class ManagedOverlay {
    volatile OverlayDefinition definition;
    volatile OverlayDevice device;
    volatile SearchPlugin searchPlugin;
    volatile SearchInstance searchInstance;
    VarpdSearchContext searchContext;
    volatile InvalidationPlugin invalidationPlugin;
    volatile InvalidationInstance invalidationInstance;
    VarpdInvalidationContext invalidationContext;

    /**
     * What the lookup side has asked of the device (the device's own settings, mirrored): read
     * from a device varpd adopts, given whole to a new device after the data path was replaced.
     * Changed by plugin threads through the search context as well as under the monitor, hence
     * atomic.
     */
    private final AtomicReference<DeviceSettings> wanted = new AtomicReference<>(DeviceSettings.NONE);

    /** What the search and invalidation instances reported through their contexts, or null. */
    volatile String searchReason;
    volatile String invalidationReason;
    /** Failures of the last attempt to bind each part, or null. */
    volatile String deviceFailure;
    volatile String searchFailure;
    volatile String invalidationFailure;
    volatile String vnicFailure;
    volatile List<String> reasons = List.of();

    ManagedOverlay(OverlayDefinition definition) {
        this.definition = definition;
    }

    String name() {
        return definition.name;
    }

    boolean online() {
        return reasons.isEmpty();
    }

    DeviceSettings wanted() {
        return wanted.get();
    }

    /** Records a change the lookup side made (or is making) to the device's settings. */
    void want(UnaryOperator<DeviceSettings> change) {
        wanted.updateAndGet(change);
    }

    TargetPolicy policy() {
        return wanted.get().targetPolicy();
    }

    boolean proxies() {
        return wanted.get().addressProxy();
    }

    /**
     * Takes over a device that outlived an earlier varpd (or whose data path outlived ours): its
     * settings are what the plugins last asked for, so they are read, and nothing is changed on
     * the device until a plugin says otherwise. Applying defaults here would empty the flood
     * targets, reset the policy and leave the multicast group while traffic flows.
     */
    void adopt(OverlayDevice d) {
        wanted.set(d.settings());
    }

    /**
     * Gives a device this varpd created (the data path was replaced, and its devices with it)
     * everything the lookup side has asked for. A group that cannot be joined is reported, not thrown.
     */
    void applyTo(OverlayDevice d) {
        try {
            d.apply(wanted.get());
        } catch (DataPathException e) {
            searchReason = e.getMessage();
        }
    }

    /** Whether binding something failed, so that trying again may help. */
    boolean needsRetry() {
        return deviceFailure != null || searchFailure != null || invalidationFailure != null || vnicFailure != null;
    }

    /**
     * Every reason the overlay cannot do all it should, varpd's and the data path's, from what is
     * bound now: a plugin that is present but not yet bound (or failed to bind) is a reason too.
     */
    List<String> collectReasons(boolean dataPathPresent, boolean encapPresent, boolean searchPresent, boolean invalidationPresent) {
        List<String> out = new ArrayList<>();
        OverlayDefinition d = definition;
        if (!dataPathPresent) {
            out.add("the data path (overlay-core) is not running");
        }
        OverlayDevice dev = device;
        if (dev != null) {
            out.addAll(dev.faults());
        } else if (dataPathPresent && !encapPresent) {
            out.add("encapsulation " + d.encap + " is not installed");
        }
        if (deviceFailure != null) {
            out.add(deviceFailure);
        }
        if (searchInstance == null) {
            out.add(searchFailure != null ? searchFailure
                    : searchPresent ? "search plugin " + d.search + " is being started" : "search plugin " + d.search + " is not installed");
        }
        if (d.invalidation != null && invalidationInstance == null) {
            out.add(invalidationFailure != null ? invalidationFailure
                    : invalidationPresent ? "invalidation plugin " + d.invalidation + " is being started"
                            : "invalidation plugin " + d.invalidation + " is not installed");
        }
        for (String r : new String[] {vnicFailure, searchReason, invalidationReason}) {
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }
}
