package org.overlaygate.core.device;

import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DeviceSettings;
import org.overlaygate.api.search.TargetPolicy;

/**
 * A device's {@link DeviceSettings} in the form the frame paths read them: arrays to iterate
 * without allocating, the policy's lifetime in nanoseconds. Immutable, and published through one
 * volatile field of the device, so that a reader sees a whole setting or the one before, never
 * flood targets of one and a policy of the other.
 */
final class Forwarding {
    static final Forwarding INITIAL = new Forwarding(DeviceSettings.NONE);

    final DeviceSettings settings;
    /** The POINT destination, as an array of none or one. */
    final UnderlayAddress[] point;
    final UnderlayAddress[] flood;
    final boolean floodUnknownUnicast;
    final TargetPolicy policy;
    final long lifetimeNanos;
    final boolean learns;
    final boolean proxy;

    Forwarding(DeviceSettings settings) {
        this.settings = settings;
        this.point = settings.pointDestination() == null ? CacheEntry.NO_DESTINATIONS
                : new UnderlayAddress[] {settings.pointDestination()};
        this.flood = settings.floodTargets().toArray(new UnderlayAddress[0]);
        this.floodUnknownUnicast = settings.floodUnknownUnicast();
        this.policy = settings.targetPolicy();
        this.lifetimeNanos = policy.lifetime().toNanos();
        this.learns = policy.learns();
        this.proxy = settings.addressProxy();
    }

    /** Whether {@code address} is the point destination or a flood target: a sender the overlay knows. Allocation-free. */
    boolean isConfiguredPeer(java.net.InetAddress address) {
        for (UnderlayAddress p : point) {
            if (p.address().equals(address)) {
                return true;
            }
        }
        for (UnderlayAddress f : flood) {
            if (f.address().equals(address)) {
                return true;
            }
        }
        return false;
    }
}
