package org.overlaygate.router;

import java.net.Inet4Address;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.overlaygate.api.GatewayAddresses;

/**
 * The routers' addresses as the overlays' default gateways, for varpd's DHCP server (option 3
 * when the overlay's {@code dhcp/router} is not set): the first IPv4 address of the first router
 * (by name) with a port on the overlay. Router ports are on no VLAN, so a VLAN's network has none.
 */
@Component(service = GatewayAddresses.class)
public final class RouterGateways implements GatewayAddresses {
    @Reference
    private RouterManager manager;

    public RouterGateways() {
    }

    RouterGateways(RouterManager manager) {
        this.manager = manager;
    }

    @Override
    public Optional<Inet4Address> gatewayOf(String overlay, int vlan) {
        if (vlan != NO_VLAN) {
            return Optional.empty();
        }
        for (Router r : manager.routers()) {
            for (RouterPort p : r.config().ports) {
                if (p.overlay.equals(overlay) && p.v4.length > 0) {
                    return Optional.of((Inet4Address) Ip.toInet(p.v4[0].hi, p.v4[0].lo));
                }
            }
        }
        return Optional.empty();
    }
}
