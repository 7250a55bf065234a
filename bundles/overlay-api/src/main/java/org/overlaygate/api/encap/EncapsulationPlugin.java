package org.overlaygate.api.encap;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertySpec;
import org.overlaygate.api.property.PropertyValues;

/**
 * An encapsulation (VXLAN, NVGRE, ...): a description of the underlay transport and header it
 * needs, a per-plugin {@link Decapsulator} and a factory of per-overlay {@link Encapsulator}s.
 * Registered as a DS service with the service property
 * {@link org.overlaygate.api.PluginConstants#PLUGIN_NAME} equal to {@link #name()}; the data path
 * (overlay-core) tracks these services and binds every overlay to the newest one of its name.
 */
@ConsumerType
public interface EncapsulationPlugin {

    /** The name operators use: {@code vxlan}. Also the namespace of its properties. */
    String name();

    /** The transport the core must open for it. */
    UnderlayTransport transport();

    /**
     * The most bytes any of this plugin's encapsulators writes in front of an inner frame (8 for
     * VXLAN and NVGRE). The core refuses, with a message naming both figures, a plugin whose header
     * does not fit the room its buffers keep in front of every frame.
     */
    int headerLength();

    /**
     * Bytes the whole encapsulation adds to an inner IP packet on an IPv4 underlay, counting the
     * outer IP header, any UDP header, this header and the inner Ethernet header (50 for VXLAN,
     * 42 for NVGRE). Used to explain MTU choices.
     */
    int overheadIpv4();

    /** The overlay MTU used when the operator gives none. */
    int defaultMtu();

    /** The smallest valid vnet id. */
    long minVnetId();

    /** The largest valid vnet id (the id size: 2^24-1 for a 24-bit id). */
    long maxVnetId();

    /**
     * Checks a vnet id. The default accepts {@link #minVnetId()} to {@link #maxVnetId()}.
     *
     * @return {@code null} when valid, otherwise a one-line reason for the operator
     */
    default String checkVnetId(long vnetId) {
        if (vnetId < minVnetId() || vnetId > maxVnetId()) {
            return "vnet id " + vnetId + " is out of range " + minVnetId() + "-" + maxVnetId() + " for " + name();
        }
        return null;
    }

    /**
     * Whether inner frames may keep an 802.1Q tag across this encapsulation. When not (the
     * default, as both VXLAN, RFC 7348 section 6.1, and NVGRE, RFC 7637 section 3.2, want), the core
     * removes the tag before encapsulating; dropping tagged frames on receipt is the decapsulator's
     * job, since the RFCs differ in how strictly.
     */
    default boolean carriesInnerVlanTags() {
        return false;
    }

    /**
     * Whether inner frames may carry an 802.1Q tag on an overlay configured for it (one with VLAN
     * VNICs), even where {@link #carriesInnerVlanTags()} says frames lose their own tags: VXLAN
     * may (RFC 7348 section 6.1: "unless configured otherwise"), NVGRE may not (RFC 7637 section 3.2).
     * The decapsulator of such a plugin must pass tagged inner frames on: the core drops those of
     * VLANs no local VNIC has ({@code vlan_mismatch}).
     *
     * @since 2.1
     */
    default boolean innerVlanTagsConfigurable() {
        return carriesInnerVlanTags();
    }

    /** The properties an overlay using this encapsulation takes, names prefixed {@code name()/}. */
    List<PropertySpec> properties();

    /**
     * The decapsulator for every packet on this plugin's underlay sockets. The core takes it from
     * the newest registered version of the plugin and keeps using it while that version is being
     * replaced.
     */
    Decapsulator decapsulator();

    /**
     * Creates the encapsulator for one overlay.
     *
     * @param values already validated against {@link #properties()}
     * @throws PropertyException when a combination of values is refused
     */
    Encapsulator newEncapsulator(PropertyValues values) throws PropertyException;
}
