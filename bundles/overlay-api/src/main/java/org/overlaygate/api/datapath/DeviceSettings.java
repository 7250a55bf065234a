package org.overlaygate.api.datapath;

import java.util.List;
import java.util.Objects;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.search.TargetPolicy;

/**
 * What the lookup side has asked of a device, as one immutable value: the point destination, the
 * flood targets and whether unknown unicast is flooded, the target cache's policy, whether ARP and
 * neighbour discovery go to the address proxy, and the multicast group. The device keeps it while
 * varpd and its plugins are away; a varpd that adopts a running device reads it
 * ({@link OverlayDevice#settings()}) instead of imposing defaults, so that nothing the plugin set
 * is lost, and nothing is left and joined again, across a varpd restart.
 *
 * <p>Build from {@link #NONE} with the {@code with} methods.
 *
 * @since 2.2
 */
public final class DeviceSettings {
    /** A new device's settings: no destination, no flood targets, lookups without ageing, no proxy, no group. */
    public static final DeviceSettings NONE = new DeviceSettings(null, List.of(), false, TargetPolicy.LOOKUP_ONLY, false, null);

    private final UnderlayAddress pointDestination;
    private final List<UnderlayAddress> floodTargets;
    private final boolean floodUnknownUnicast;
    private final TargetPolicy targetPolicy;
    private final boolean addressProxy;
    private final MulticastGroup multicastGroup;

    private DeviceSettings(UnderlayAddress pointDestination, List<UnderlayAddress> floodTargets, boolean floodUnknownUnicast,
            TargetPolicy targetPolicy, boolean addressProxy, MulticastGroup multicastGroup) {
        this.pointDestination = pointDestination;
        this.floodTargets = List.copyOf(floodTargets);
        this.floodUnknownUnicast = floodUnknownUnicast;
        this.targetPolicy = Objects.requireNonNull(targetPolicy);
        this.addressProxy = addressProxy;
        this.multicastGroup = multicastGroup;
    }

    /** The one destination of a POINT device, or {@code null} when none is known. */
    public UnderlayAddress pointDestination() {
        return pointDestination;
    }

    /** Where broadcast and multicast go besides the local VNICs (a group, head-end replication peers, or none). */
    public List<UnderlayAddress> floodTargets() {
        return floodTargets;
    }

    /** Whether unicast to a MAC the cache does not know is flooded too, instead of looked up (flood-and-learn). */
    public boolean floodUnknownUnicast() {
        return floodUnknownUnicast;
    }

    public TargetPolicy targetPolicy() {
        return targetPolicy;
    }

    /** Whether ARP requests and neighbour solicitations become address requests instead of being flooded. */
    public boolean addressProxy() {
        return addressProxy;
    }

    /** The underlay multicast group joined, or {@code null}. */
    public MulticastGroup multicastGroup() {
        return multicastGroup;
    }

    public DeviceSettings withPointDestination(UnderlayAddress destination) {
        return new DeviceSettings(destination, floodTargets, floodUnknownUnicast, targetPolicy, addressProxy, multicastGroup);
    }

    public DeviceSettings withFloodTargets(List<UnderlayAddress> destinations, boolean unknownUnicast) {
        return new DeviceSettings(pointDestination, destinations, unknownUnicast, targetPolicy, addressProxy, multicastGroup);
    }

    public DeviceSettings withTargetPolicy(TargetPolicy policy) {
        return new DeviceSettings(pointDestination, floodTargets, floodUnknownUnicast, policy, addressProxy, multicastGroup);
    }

    public DeviceSettings withAddressProxy(boolean proxy) {
        return new DeviceSettings(pointDestination, floodTargets, floodUnknownUnicast, targetPolicy, proxy, multicastGroup);
    }

    /** {@code group} may be {@code null}: no group. */
    public DeviceSettings withMulticastGroup(MulticastGroup group) {
        return new DeviceSettings(pointDestination, floodTargets, floodUnknownUnicast, targetPolicy, addressProxy, group);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeviceSettings)) {
            return false;
        }
        DeviceSettings s = (DeviceSettings) o;
        return Objects.equals(pointDestination, s.pointDestination) && floodTargets.equals(s.floodTargets)
                && floodUnknownUnicast == s.floodUnknownUnicast && targetPolicy.equals(s.targetPolicy) && addressProxy == s.addressProxy
                && Objects.equals(multicastGroup, s.multicastGroup);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pointDestination, floodTargets, floodUnknownUnicast, targetPolicy, addressProxy, multicastGroup);
    }

    @Override
    public String toString() {
        return "point " + pointDestination + ", flood " + floodTargets + (floodUnknownUnicast ? " (and unknown unicast)" : "") + ", "
                + targetPolicy + (addressProxy ? ", proxy" : "") + (multicastGroup == null ? "" : ", group " + multicastGroup);
    }
}
