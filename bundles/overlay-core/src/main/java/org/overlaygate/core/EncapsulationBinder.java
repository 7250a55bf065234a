package org.overlaygate.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.device.Device;
import org.overlaygate.core.device.EncapBinding;
import org.overlaygate.core.underlay.UnderlayKey;
import org.overlaygate.core.underlay.UnderlayMux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds devices to encapsulation plugins: the data path's own tracking of
 * {@link EncapsulationPlugin} services, so that a plugin replaced while varpd is away is picked up
 * all the same. For each device it takes the best registered service of the device's
 * encapsulation (highest ranking, then newest), checks the device's properties against it, makes
 * the overlay's encapsulator, runs it once so its classes are loaded, and swaps it in together
 * with the mux (opened or shared) and the plugin's decapsulator. When the plugin goes, devices keep
 * what they have and say so in their faults. Called under the data path service's monitor.
 */
final class EncapsulationBinder {
    private static final Logger LOG = LoggerFactory.getLogger(EncapsulationBinder.class);

    /** A registered plugin service and what orders it among services of the same name. */
    static final class PluginService {
        final EncapsulationPlugin plugin;
        final String version;
        final int ranking;
        final long serviceId;

        PluginService(EncapsulationPlugin plugin, String version, int ranking, long serviceId) {
            this.plugin = plugin;
            this.version = version;
            this.ranking = ranking;
            this.serviceId = serviceId;
        }

        boolean betterThan(PluginService other) {
            return other == null || ranking > other.ranking || (ranking == other.ranking && serviceId > other.serviceId);
        }
    }

    private final List<PluginService> services = new ArrayList<>();
    private final MuxRegistry muxes;

    EncapsulationBinder(MuxRegistry muxes) {
        this.muxes = muxes;
    }

    /** A plugin service appeared: devices of its name move to it if it is now the best. */
    void added(PluginService service, Collection<Device> devices) {
        services.add(service);
        LOG.info("encapsulation {} {} registered", service.plugin.name(), service.version);
        rebindAll(service.plugin.name(), devices);
    }

    /** A plugin service went: devices move to the next best one, or keep forwarding with what they have. */
    void removed(EncapsulationPlugin plugin, Collection<Device> devices) {
        services.removeIf(s -> s.plugin == plugin);
        LOG.info("encapsulation {} unregistered", plugin.name());
        rebindAll(plugin.name(), devices);
    }

    private void rebindAll(String name, Collection<Device> devices) {
        for (Device d : devices) {
            if (d.encapsulationName().equals(name)) {
                try {
                    bind(d);
                } catch (DataPathException e) {
                    d.encapsulationRefused(e.getMessage());
                    LOG.warn("overlay {}: {}", d.name(), e.getMessage());
                }
            }
        }
    }

    PluginService best(String name) {
        PluginService best = null;
        for (PluginService s : services) {
            if (s.plugin.name().equals(name) && s.betterThan(best)) {
                best = s;
            }
        }
        return best;
    }

    /**
     * Binds a device to the best plugin of its encapsulation, or marks it absent.
     *
     * @throws DataPathException when the plugin refuses the device, or its mux cannot be opened or
     *     shared; the device keeps what it had
     */
    void bind(Device d) throws DataPathException {
        PluginService service = best(d.encapsulationName());
        if (service == null) {
            d.encapsulationAbsent();
            return;
        }
        EncapBinding old = d.encapBinding();
        if (old != null && old.isFrom(service.plugin)) {
            return; // already on this very service
        }
        EncapsulationPlugin plugin = service.plugin;
        if (plugin.headerLength() > BufferLayout.HEADROOM) {
            throw new DataPathException("encapsulation " + plugin.name() + " " + service.version + " needs up to " + plugin.headerLength()
                    + " header bytes, but the data path keeps " + BufferLayout.HEADROOM + " in front of every frame");
        }
        String vnetProblem = plugin.checkVnetId(d.vnetId());
        if (vnetProblem != null) {
            throw new DataPathException(vnetProblem);
        }
        PropertyValues values;
        Encapsulator encapsulator;
        try {
            values = PropertyValues.validate(plugin.properties(), d.config().encapsulationProperties());
            encapsulator = plugin.newEncapsulator(values);
        } catch (PropertyException | RuntimeException e) {
            throw new DataPathException(e.getMessage());
        }
        if (encapsulator.headerLength() > plugin.headerLength()) {
            throw new DataPathException("encapsulation " + plugin.name() + " wrote " + encapsulator.headerLength()
                    + " header bytes for overlay " + d.name() + ", more than the " + plugin.headerLength() + " it declares");
        }
        warmUp(plugin, encapsulator, d.vnetId());
        UnderlayAddress listen = plugin.transport().listenAddress(values);
        UnderlayKey key = new UnderlayKey(plugin.name(), plugin.transport(), listen);
        UnderlayMux mux = old != null && old.mux().key().equals(key) ? old.mux() : muxes.acquire(key, plugin.transport());
        if (old == null || mux != old.mux()) {
            try {
                mux.attach(d.vnetId(), d);
            } catch (DataPathException e) {
                muxes.release(mux);
                throw e;
            }
        }
        mux.setDecapsulator(plugin.decapsulator());
        d.bind(new EncapBinding(plugin, service.version, encapsulator, mux));
        if (old != null && old.mux() != mux) {
            old.mux().detach(d.vnetId(), d);
            muxes.release(old.mux());
        }
        LOG.info("overlay {}: encapsulation {} {} on {}", d.name(), plugin.name(), service.version, key);
    }

    /** Releases a device's mux (the device is being destroyed). */
    void unbind(Device d) {
        EncapBinding b = d.encapBinding();
        d.close();
        if (b != null) {
            b.mux().detach(d.vnetId(), d);
            muxes.release(b.mux());
        }
    }

    /**
     * Runs the encapsulator and the decapsulator once on a dummy frame before they carry traffic,
     * so that every class they need is loaded while their bundle is surely active: a plugin bundle
     * that is later updated can no longer load classes, but code already loaded keeps working until
     * the replacement arrives.
     */
    private static void warmUp(EncapsulationPlugin plugin, Encapsulator encapsulator, long vnetId) throws DataPathException {
        try {
            ByteBuffer probe = ByteBuffer.allocate(BufferLayout.HEADROOM + 64);
            int start = BufferLayout.HEADROOM - encapsulator.headerLength();
            encapsulator.encapsulate(probe, start, vnetId, 0);
            probe.position(start);
            plugin.decapsulator().decapsulate(probe, new DecapResult());
        } catch (RuntimeException | LinkageError e) {
            throw new DataPathException("encapsulation " + plugin.name() + " failed its first use: " + e);
        }
    }
}
