package org.overlaygate.router;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.overlaygate.api.GatewayAddresses;

/** The address DHCP hands out as the router (option 3): a router's on that overlay. */
public class RouterGatewaysTest {
    @Test
    public void theRoutersAddressOnTheOverlayIsItsGateway() {
        FakeServices.Overlays overlays = new FakeServices.Overlays();
        overlays.add("ovl1", 1400);
        overlays.add("ovl2", 1400);
        RouterManager manager = new RouterManager(overlays.dataPath(), new RouterStore(new FakeServices.Store().admin()), () -> 1L, null);
        RouterGateways g = new RouterGateways(manager);
        assertEquals(Optional.empty(), g.gatewayOf("ovl1", GatewayAddresses.NO_VLAN));
        manager.create("r1", -1);
        manager.attach("r1", "ovl1", -1, List.of(Prefix.parse("2001:db8:1::1/64"), Prefix.parse("10.1.0.1/24")));
        manager.attach("r1", "ovl2", -1, List.of(Prefix.parse("2001:db8:2::1/64")));
        assertEquals("10.1.0.1", g.gatewayOf("ovl1", GatewayAddresses.NO_VLAN).get().getHostAddress());
        assertEquals("no IPv4 address there", Optional.empty(), g.gatewayOf("ovl2", GatewayAddresses.NO_VLAN));
        assertEquals("router ports are on no VLAN", Optional.empty(), g.gatewayOf("ovl1", 10));
        assertEquals(Optional.empty(), g.gatewayOf("ovl3", GatewayAddresses.NO_VLAN));
    }
}
