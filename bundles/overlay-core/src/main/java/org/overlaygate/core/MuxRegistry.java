package org.overlaygate.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlayMux;

/**
 * The open underlay muxes, one per {@link UnderlayKey}, opened by the first device that needs one
 * and closed with the last. Guarded by the data path service's monitor.
 */
final class MuxRegistry {
    /** Opens a mux for a key; the OS part, replaced in tests. */
    interface Opener {
        UnderlayMux open(UnderlayKey key, UnderlayTransport transport) throws DataPathException;
    }

    private static final class Shared {
        final UnderlayMux mux;
        int users;

        Shared(UnderlayMux mux) {
            this.mux = mux;
        }
    }

    private final Map<UnderlayKey, Shared> muxes = new HashMap<>();
    private final Opener opener;

    MuxRegistry(Opener opener) {
        this.opener = opener;
    }

    UnderlayMux acquire(UnderlayKey key, UnderlayTransport transport) throws DataPathException {
        Shared shared = muxes.get(key);
        if (shared == null) {
            shared = new Shared(opener.open(key, transport));
            muxes.put(key, shared);
        }
        shared.users++;
        return shared.mux;
    }

    void release(UnderlayMux mux) {
        Shared shared = muxes.get(mux.key());
        if (shared != null && shared.mux == mux && --shared.users <= 0) {
            muxes.remove(mux.key());
            mux.close();
        }
    }

    List<DeviceStats.Counters> stats() {
        List<DeviceStats.Counters> out = new ArrayList<>();
        for (Shared s : muxes.values()) {
            out.add(s.mux.stats());
        }
        out.sort(Comparator.comparing(DeviceStats.Counters::name));
        return out;
    }

    /** The offloads of each mux, by its name (as in {@link #stats()}). */
    Map<String, Map<String, String>> offloads() {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (Shared s : muxes.values()) {
            out.put(s.mux.key().toString(), s.mux.offloads());
        }
        return out;
    }

    void closeAll() {
        for (Shared s : muxes.values()) {
            s.mux.close();
        }
        muxes.clear();
    }
}
