package org.overlaygate.varpd.overlay;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.overlaygate.api.datapath.DataPath;

/**
 * What varpd keeps, shared by reconciliation, operations and the upcall threads: the overlays and
 * VNIC definitions by name, the one name space they share (a name is taken before anything is
 * created under it, and given back if the creation fails), and the data path while it is there.
 * Concurrent maps; no lock of its own.
 */
final class Overlays {
    final Map<String, ManagedOverlay> overlays = new ConcurrentHashMap<>();
    final Map<String, VnicDefinition> vnics = new ConcurrentHashMap<>();
    /** Names of overlays and VNICs, created or being created. */
    final Set<String> names = ConcurrentHashMap.newKeySet();
    private final Supplier<DataPath> dataPath;

    Overlays(Supplier<DataPath> dataPath) {
        this.dataPath = dataPath;
    }

    /** The data path, or null while overlay-core is not running. */
    DataPath dataPath() {
        return dataPath.get();
    }

    DataPath requireDataPath() {
        DataPath dp = dataPath.get();
        if (dp == null) {
            throw new IllegalStateException("the data path (overlay-core) is not running");
        }
        return dp;
    }

    ManagedOverlay require(String name) {
        ManagedOverlay m = overlays.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no overlay " + name);
        }
        return m;
    }
}
