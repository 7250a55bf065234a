package org.overlaygate.varpd.overlay;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

import org.overlaygate.api.datapath.DataPath;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.datapath.VnicInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands that change what varpd keeps: create and delete overlays and VNICs. Each checks
 * everything before it changes anything, runs under the overlay's monitor, stores its result, and
 * undoes what it did if a later step fails: nothing half-created is left behind, and nothing is
 * acknowledged that is not stored.
 *
 * @see Reconciler for what keeps them alive afterwards
 */
final class OverlayOperations {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayOperations.class);

    private final Overlays state;
    private final DefinitionStore store;
    private final OverlayValidator validator;
    private final PluginBinder binder;
    private final Reconciler reconciler;

    private final DhcpBinding dhcp;

    OverlayOperations(Overlays state, DefinitionStore store, OverlayValidator validator, PluginBinder binder, Reconciler reconciler,
            DhcpBinding dhcp) {
        this.dhcp = dhcp;
        this.state = state;
        this.store = store;
        this.validator = validator;
        this.binder = binder;
        this.reconciler = reconciler;
    }

    /**
     * Creates, starts and stores an overlay.
     *
     * @throws IllegalArgumentException for bad input, with a one-line reason
     * @throws IllegalStateException when the appliance cannot do it now
     */
    ManagedOverlay create(OverlayValidator.Request request) {
        OverlayValidator.Checked checked = validator.check(request);
        String name = checked.definition.name;
        if (!state.names.add(name)) {
            throw new IllegalArgumentException("the name " + name + " is already in use");
        }
        try {
            return createChecked(checked.definition); // the data path refuses a vnet id taken on the same socket
        } catch (RuntimeException e) {
            state.names.remove(name);
            throw e;
        }
    }

    private ManagedOverlay createChecked(OverlayDefinition def) {
        DataPath dp = state.requireDataPath();
        ManagedOverlay m = new ManagedOverlay(def);
        synchronized (m) {
            try {
                m.created(dp.createDevice(Reconciler.deviceConfig(def)));
            } catch (DataPathException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            binder.bindSearch(m);
            binder.bindInvalidation(m);
            String failure = failureOf(m.searchPart, "search plugin " + def.search);
            if (failure == null && def.invalidation != null) {
                failure = failureOf(m.invalidationPart, "invalidation plugin " + def.invalidation);
            }
            if (failure != null) {
                undoCreate(m, dp);
                throw new IllegalArgumentException(failure);
            }
            try {
                store.save(def);
            } catch (IOException | RuntimeException e) {
                undoCreate(m, dp);
                throw new IllegalStateException("cannot store overlay " + def.name + ": " + e.getMessage());
            }
            state.overlays.put(def.name, m);
            dhcp.sync(m);
            reconciler.logReasons(m);
        }
        return m;
    }

    /** Why a part that must be bound at creation is not, or null when it is. */
    private static String failureOf(PartState part, String what) {
        if (part.kind == PartState.Kind.FAILED) {
            return part.reason;
        }
        return part.bound() ? null : what + " went away";
    }

    private void undoCreate(ManagedOverlay m, DataPath dp) {
        binder.unbindSearch(m, false);
        binder.unbindInvalidation(m);
        try {
            dp.destroyDevice(m.name());
        } catch (DataPathException e) {
            LOG.warn("undoing overlay {}: {}", m.name(), e.getMessage());
        }
        m.deviceGone();
    }

    /** Deletes an overlay; refused while VNICs are defined on it. */
    void delete(String name) {
        ManagedOverlay m = state.require(name);
        synchronized (m) {
            List<String> onIt = state.vnics.values().stream().filter(v -> v.overlay.equals(name)).map(v -> v.name).sorted()
                    .collect(Collectors.toList());
            if (!onIt.isEmpty()) {
                throw new IllegalStateException("overlay " + name + " has VNICs: " + String.join(", ", onIt) + " (delete them first)");
            }
            try {
                store.deleteOverlay(name);
            } catch (IOException e) {
                throw new IllegalStateException("cannot delete the stored overlay " + name + ": " + e.getMessage());
            }
            m.deleted = true;
            state.overlays.remove(name);
            binder.unbindSearch(m, false);
            binder.unbindInvalidation(m);
            DataPath dp = state.dataPath();
            if (dp != null && m.device != null) {
                try {
                    dp.destroyDevice(name);
                } catch (DataPathException e) {
                    LOG.warn("deleting overlay {}: {}", name, e.getMessage());
                }
            }
            m.deviceGone();
            dhcp.deleted(name);
        }
        state.names.remove(name);
    }

    VnicInfo createVnic(String name, String overlay, VnicConfig.Kind kind, String osName, long mac, int vlan) {
        ManagedOverlay m = state.require(overlay);
        if (!state.names.add(name)) {
            throw new IllegalArgumentException("the name " + name + " is already in use");
        }
        try {
            synchronized (m) {
                DataPath dp = state.dataPath();
                if (dp == null || m.device == null || m.deleted) {
                    throw new IllegalStateException("overlay " + overlay + " has no device now: " + String.join("; ", reconciler.reasons(m)));
                }
                VnicInfo info;
                try {
                    info = dp.createVnic(new VnicConfig(name, overlay, kind, osName, mac, vlan));
                } catch (DataPathException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
                VnicDefinition def = new VnicDefinition(name, overlay, kind, info.osName(), info.mac(), vlan);
                try {
                    store.save(def);
                } catch (IOException | RuntimeException e) {
                    try {
                        dp.deleteVnic(name);
                    } catch (DataPathException ignored) {
                        // undoing as far as possible
                    }
                    throw new IllegalStateException("cannot store VNIC " + name + ": " + e.getMessage());
                }
                state.vnics.put(name, def);
                dhcp.sync(m); // a VLAN new to the overlay gets its DHCP proxy port
                return info;
            }
        } catch (RuntimeException e) {
            state.names.remove(name);
            throw e;
        }
    }

    void deleteVnic(String name) {
        VnicDefinition v = state.vnics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no VNIC " + name);
        }
        ManagedOverlay m = state.overlays.get(v.overlay);
        Object lock = m != null ? m : v;
        synchronized (lock) {
            try {
                store.deleteVnic(name);
            } catch (IOException e) {
                throw new IllegalStateException("cannot delete the stored VNIC " + name + ": " + e.getMessage());
            }
            state.vnics.remove(name);
            DataPath dp = state.dataPath();
            if (dp != null) {
                try {
                    dp.deleteVnic(name);
                } catch (DataPathException e) {
                    LOG.info("VNIC {} was not in the data path: {}", name, e.getMessage());
                }
            }
        }
        state.names.remove(name);
    }
}
