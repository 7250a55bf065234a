package org.overlaygate.varpd.overlay;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Locale;

import org.overlaygate.api.MacAddress;
import org.overlaygate.api.datapath.VnicConfig;

/**
 * A VNIC as defined and stored (factory configuration {@value #FACTORY_PID}). Generated TAP names
 * and MACs are stored as generated, so a restart brings back the same devices with the same
 * addresses. Immutable.
 */
public final class VnicDefinition {
    public static final String FACTORY_PID = "org.overlaygate.vnic";
    static final String NAME = "vnic.name";
    static final String OVERLAY = "vnic.overlay";
    static final String KIND = "vnic.kind";
    static final String OS_NAME = "vnic.os_name";
    static final String MAC = "vnic.mac";
    /** Absent for a VNIC without a VLAN (and for every VNIC stored before VLANs existed). */
    static final String VLAN = "vnic.vlan";

    final String name;
    final String overlay;
    final VnicConfig.Kind kind;
    /** TAP device or interface name; null for memory VNICs. */
    final String osName;
    final long mac;
    /** The VLAN, or {@link VnicConfig#NO_VLAN}. */
    final int vlan;

    VnicDefinition(String name, String overlay, VnicConfig.Kind kind, String osName, long mac, int vlan) {
        this.name = name;
        this.overlay = overlay;
        this.kind = kind;
        this.osName = osName;
        this.mac = mac;
        this.vlan = vlan;
    }

    VnicConfig toConfig() {
        return new VnicConfig(name, overlay, kind, osName, mac, vlan);
    }

    Dictionary<String, Object> toDictionary() {
        Hashtable<String, Object> d = new Hashtable<>();
        d.put(NAME, name);
        d.put(OVERLAY, overlay);
        d.put(KIND, kind.name().toLowerCase(Locale.ROOT));
        if (osName != null) {
            d.put(OS_NAME, osName);
        }
        d.put(MAC, MacAddress.format(mac));
        if (vlan != VnicConfig.NO_VLAN) {
            d.put(VLAN, vlan);
        }
        return d;
    }

    static VnicDefinition fromDictionary(Dictionary<String, Object> d) {
        Object os = d.get(OS_NAME);
        Object vlan = d.get(VLAN);
        return new VnicDefinition(OverlayDefinition.string(d, NAME), OverlayDefinition.string(d, OVERLAY),
                VnicConfig.Kind.valueOf(OverlayDefinition.string(d, KIND).toUpperCase(Locale.ROOT)), os == null ? null : os.toString(),
                MacAddress.parse(OverlayDefinition.string(d, MAC)), vlan == null ? VnicConfig.NO_VLAN : Integer.parseInt(vlan.toString()));
    }
}
