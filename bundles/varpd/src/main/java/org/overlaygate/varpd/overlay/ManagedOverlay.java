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
 * device, after the data path was replaced, gets it too), and where each part stands
 * ({@link PartState}), from which every reason it is DEGRADED is derived.
 *
 * <p>Changes happen under this object's monitor, one overlay at a time, except the reports plugin
 * instances make through their contexts (any thread); the upcall threads read the volatile fields
 * and never take it, so a plugin that is slow to start delays only its overlay's commands, never
 * a lookup.
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

    volatile PartState devicePart = PartState.UNSATISFIED;
    volatile PartState searchPart = PartState.UNSATISFIED;
    volatile PartState invalidationPart;
    volatile PartState vnicPart = PartState.ACTIVE;
    /** The reasons last logged, to log only changes. */
    volatile List<String> reasons = List.of();
    /** Set once the overlay is deleted: reconciling it again does nothing. */
    volatile boolean deleted;

    ManagedOverlay(OverlayDefinition definition) {
        this.definition = definition;
        this.invalidationPart = definition.invalidation == null ? PartState.UNUSED : PartState.UNSATISFIED;
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
        device = d;
        devicePart = PartState.ACTIVE;
    }

    /**
     * Binds a device this varpd created (for a new overlay, or because the data path was replaced
     * and its devices with it) and gives it everything the lookup side has asked for. A group that
     * cannot be joined is reported as the search part's trouble, not thrown.
     */
    void created(OverlayDevice d) {
        try {
            d.apply(wanted.get());
        } catch (DataPathException e) {
            searchPart = PartState.degraded(e.getMessage());
        }
        device = d;
        devicePart = PartState.ACTIVE;
    }

    /** The device went with its data path, or the overlay was deleted. */
    void deviceGone() {
        device = null;
        devicePart = PartState.UNSATISFIED;
    }

    /** A search or invalidation instance reports trouble, or its end, through its context. */
    void searchReports(String trouble) {
        PartState s = searchPart;
        if (s.bound() || s.kind == PartState.Kind.STARTING) {
            searchPart = trouble == null ? PartState.ACTIVE : PartState.degraded(trouble);
        }
    }

    void invalidationReports(String trouble) {
        PartState s = invalidationPart;
        if (s.bound() || s.kind == PartState.Kind.STARTING) {
            invalidationPart = trouble == null ? PartState.ACTIVE : PartState.degraded(trouble);
        }
    }

    /** Whether binding something failed, so that trying again may help. */
    boolean needsRetry() {
        return devicePart.kind == PartState.Kind.FAILED || searchPart.kind == PartState.Kind.FAILED
                || invalidationPart.kind == PartState.Kind.FAILED || vnicPart.kind == PartState.Kind.FAILED;
    }

    /**
     * Every reason the overlay cannot do all it should, varpd's and the data path's, from the
     * parts' states and what is present now: a plugin that is present but not yet bound (or
     * failed to bind) is a reason too.
     */
    List<String> collectReasons(boolean dataPathPresent, boolean encapPresent, boolean searchPresent, boolean invalidationPresent) {
        List<String> out = new ArrayList<>();
        OverlayDefinition d = definition;
        if (!dataPathPresent) {
            out.add("the data path (overlay-core) is not running");
        }
        PartState dev = devicePart;
        OverlayDevice live = device;
        if (dev.bound() && live != null) {
            out.addAll(live.faults());
        } else if (dev.kind == PartState.Kind.FAILED) {
            out.add(dev.reason);
        } else if (dataPathPresent && !encapPresent) {
            out.add("encapsulation " + d.encap + " is not installed");
        }
        PartState search = searchPart;
        if (!search.bound()) {
            out.add(search.kind == PartState.Kind.FAILED ? search.reason
                    : searchPresent ? "search plugin " + d.search + " is being started" : "search plugin " + d.search + " is not installed");
        }
        PartState invalidation = invalidationPart;
        if (invalidation.kind != PartState.Kind.UNUSED && !invalidation.bound()) {
            out.add(invalidation.kind == PartState.Kind.FAILED ? invalidation.reason
                    : invalidationPresent ? "invalidation plugin " + d.invalidation + " is being started"
                            : "invalidation plugin " + d.invalidation + " is not installed");
        }
        for (PartState p : new PartState[] {vnicPart, search, invalidation}) {
            if (p.kind == PartState.Kind.DEGRADED || p == vnicPart && p.kind == PartState.Kind.FAILED) {
                out.add(p.reason);
            }
        }
        return out;
    }
}
