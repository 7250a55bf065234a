package org.overlaygate.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class UnderlayAddressTest {

    @Test
    public void parsesIpv4AndIpv6WithAndWithoutPort() {
        UnderlayAddress a = UnderlayAddress.parse("10.0.0.2:4789");
        assertEquals("10.0.0.2", a.address().getHostAddress());
        assertEquals(4789, a.port());
        assertEquals("10.0.0.2:4789", a.toString());
        UnderlayAddress b = UnderlayAddress.parse("[fd00::2]:4789");
        assertEquals(4789, b.port());
        assertEquals("[fd00:0:0:0:0:0:0:2]:4789", b.toString());
        assertEquals(0, UnderlayAddress.parse("fd00::2").port());
        assertEquals(0, UnderlayAddress.parse("192.168.1.1").port());
        assertEquals(UnderlayAddress.parse("10.0.0.2:4789"), a);
        assertEquals(a.socketAddress().getPort(), 4789);
    }

    @Test
    public void refusesNamesAndBadPorts() {
        assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parse("example.com:4789"));
        assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parse("10.0.0.2:0"));
        assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parse("10.0.0.2:70000"));
        assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parse("10.0.0.2:x"));
        assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parse("10.0.2"));
        assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parse("[fd00::2"));
    }

    @Test
    public void namespaceOfPropertyName() {
        assertEquals("vxlan", PluginConstants.namespaceOf("vxlan/listen_ip"));
        assertEquals(null, PluginConstants.namespaceOf("mtu"));
        assertEquals(null, PluginConstants.namespaceOf("/x"));
    }
}
