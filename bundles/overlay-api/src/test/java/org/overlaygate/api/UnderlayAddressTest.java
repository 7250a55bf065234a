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
        assertEquals("[fd00::2]:4789", b.toString());
        assertEquals(0, UnderlayAddress.parse("fd00::2").port());
        assertEquals(0, UnderlayAddress.parse("192.168.1.1").port());
        assertEquals(UnderlayAddress.parse("10.0.0.2:4789"), a);
        assertEquals(a.socketAddress().getPort(), 4789);
    }

    @Test
    public void ipv6IsWrittenAsRfc5952Says() {
        String[][] cases = {
            {"fd00::2", "fd00::2"}, {"::", "::"}, {"::1", "::1"}, {"ff15:0:0:0:0:0:0:9", "ff15::9"},
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, // the first of two equal runs
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // one zero group stays
            {"2001:DB8:0:0:0:0:2:1", "2001:db8::2:1"}, {"1:0:0:0:0:0:0:0", "1::"},
        };
        for (String[] c : cases) {
            assertEquals(c[0], c[1], UnderlayAddress.parse(c[0]).toString());
            assertEquals(c[0], "[" + c[1] + "]:4789", UnderlayAddress.parse("[" + c[0] + "]:4789").toString());
        }
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
    public void aLeadingZeroIsRefusedAndASingleZeroIsNot() {
        assertEquals("'0177.0.0.1' has a leading zero in '0177': octal to C tools, decimal to others; write the number without it",
                assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parse("0177.0.0.1:4789")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> UnderlayAddress.parseLiteral("010.0.0.1"));
        assertEquals("10.0.0.10", UnderlayAddress.parseLiteral("10.0.0.10").getHostAddress());
        assertEquals("0.0.0.0", UnderlayAddress.parseLiteral("0.0.0.0").getHostAddress());
        assertEquals("100.64.0.1", UnderlayAddress.parseLiteral("100.64.0.1").getHostAddress());
    }

    @Test
    public void namespaceOfPropertyName() {
        assertEquals("vxlan", PluginConstants.namespaceOf("vxlan/listen_ip"));
        assertEquals(null, PluginConstants.namespaceOf("mtu"));
        assertEquals(null, PluginConstants.namespaceOf("/x"));
    }
}
