package org.overlaygate.core.device;

import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.core.underlay.UnderlayMux;

/**
 * A device's encapsulation as bound by the data path: which version of the plugin's code it runs,
 * the overlay's encapsulator, and the underlay mux it sends and receives through. Immutable, so
 * that the transmit path reads all of it through one volatile field and a swap is atomic.
 */
public final class EncapBinding {
    final EncapsulationPlugin plugin;
    final String version;
    final Encapsulator encapsulator;
    final int headerLength;
    /** Whether a VM's own 802.1Q tags are removed at the port (VXLAN, NVGRE), rather than carried (Geneve). */
    final boolean stripVlan;
    /** Whether frames may carry the tags of VLAN VNICs (VXLAN "configured otherwise", Geneve; not NVGRE). */
    final boolean vlansAllowed;
    final UnderlayMux mux;

    public EncapBinding(EncapsulationPlugin plugin, String version, Encapsulator encapsulator, UnderlayMux mux) {
        this.plugin = plugin;
        this.version = version;
        this.encapsulator = encapsulator;
        this.headerLength = encapsulator.headerLength();
        this.stripVlan = !plugin.carriesInnerVlanTags();
        this.vlansAllowed = plugin.innerVlanTagsConfigurable();
        this.mux = mux;
    }

    /** Whether this binding was made from {@code service} (the very same service object). */
    public boolean isFrom(EncapsulationPlugin service) {
        return plugin == service;
    }

    public UnderlayMux mux() {
        return mux;
    }

    public String version() {
        return version;
    }
}
