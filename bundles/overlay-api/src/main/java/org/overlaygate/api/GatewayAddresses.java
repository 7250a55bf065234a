package org.overlaygate.api;

import java.net.Inet4Address;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The default gateway of an overlay's network, published by whatever routes for it (a router
 * bundle with an interface on the overlay), for the services that tell VMs their gateway: the
 * DHCP server's option 3 ({@code dhcp/router}) uses it when the operator gave none. Several may be
 * registered (one per router); the first that knows an overlay answers. Called from any thread,
 * rarely (when a DHCP reply is built): cheap, never blocking. Implemented by routers.
 *
 * @since 1.3
 */
@ConsumerType
public interface GatewayAddresses {
    /** No VLAN: the overlay's untagged network (the same as {@link AddressLookup#NO_VLAN}). */
    int NO_VLAN = -1;

    /**
     * The address this router has on the overlay (and VLAN), which VMs there use as their gateway,
     * or empty when it has no interface there.
     *
     * @param overlay the overlay's name
     * @param vlan 1-4094, or {@link #NO_VLAN}
     */
    Optional<Inet4Address> gatewayOf(String overlay, int vlan);
}
