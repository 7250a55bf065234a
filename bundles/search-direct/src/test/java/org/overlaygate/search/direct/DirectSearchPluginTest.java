package org.overlaygate.search.direct;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.encap.UnderlayTransport;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertyValues;
import org.overlaygate.api.search.SearchInstance;
import org.overlaygate.api.search.SearchMode;

public class DirectSearchPluginTest {
    private static final UnderlayTransport UDP = UnderlayTransport.udp(4789, "vxlan/listen_ip", "vxlan/listen_port");
    private static final UnderlayTransport GRE = UnderlayTransport.ipProtocol(47, "nvgre/listen_ip");
    private final DirectSearchPlugin plugin = new DirectSearchPlugin();

    @Test
    public void pointModeGivesTheConfiguredDestination() throws Exception {
        assertEquals(SearchMode.POINT, plugin.mode());
        PropertyValues v = PropertyValues.validate(plugin.properties(UDP), Map.of("direct/dest_ip", "10.0.0.2", "direct/dest_port", "4789"));
        SearchInstance i = plugin.create(null, v);
        i.start();
        assertEquals("10.0.0.2:4789", i.pointDestination().toString());
    }

    @Test
    public void udpRequiresPortAndIpProtocolHasNone() throws Exception {
        PropertyException e = assertThrows(PropertyException.class,
                () -> PropertyValues.validate(plugin.properties(UDP), Map.of("direct/dest_ip", "10.0.0.2")));
        assertEquals("missing required property: direct/dest_port", e.getMessage());
        PropertyValues gre = PropertyValues.validate(plugin.properties(GRE), Map.of("direct/dest_ip", "10.0.0.2"));
        assertEquals(0, plugin.create(null, gre).pointDestination().port());
        assertThrows(PropertyException.class,
                () -> PropertyValues.validate(plugin.properties(GRE), Map.of("direct/dest_ip", "10.0.0.2", "direct/dest_port", "1")));
    }

    @Test
    public void validatesAddressAndPort() {
        assertThrows(PropertyException.class,
                () -> PropertyValues.validate(plugin.properties(UDP), Map.of("direct/dest_ip", "nowhere", "direct/dest_port", "4789")));
        assertThrows(PropertyException.class,
                () -> PropertyValues.validate(plugin.properties(UDP), Map.of("direct/dest_ip", "10.0.0.2", "direct/dest_port", "65536")));
    }
}
