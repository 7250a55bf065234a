package org.overlaygate.varpd.dhcp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.varpd.dhcp.ClientFrames.ip;

import java.util.HashMap;
import java.util.Map;

import org.junit.Test;

/** The dhcp/ properties: defaults, VLAN networks, and a one-line refusal for each mistake. */
public class DhcpConfigTest {
    private static String refusal(String... kv) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return assertThrows(IllegalArgumentException.class, () -> DhcpConfig.parse(p)).getMessage();
    }

    @Test
    public void defaultsAndVlanNetworks() {
        DhcpConfig c = DhcpConfig.parse(Map.of("dhcp/subnet", "10.0.0.0/24", "dhcp/10/subnet", "10.10.0.0/24", "dhcp/10/router", "10.10.0.1",
                "vxlan/listen_ip", "127.0.0.1"));
        Scope untagged = c.scopes().get(DhcpConfig.NO_VLAN);
        assertEquals(ip("10.0.0.254"), untagged.server);
        assertEquals(ip("10.0.0.1"), untagged.first);
        assertEquals(DhcpConfig.DEFAULT_LEASE, untagged.leaseSeconds);
        Scope v10 = c.scopes().get(10);
        assertEquals(ip("10.10.0.1"), v10.router);
        assertTrue(DhcpConfig.parse(Map.of("vxlan/listen_ip", "127.0.0.1")).isEmpty());
    }

    @Test
    public void mistakesAreRefusedInOneLine() {
        assertEquals("unknown property dhcp/rnage (did you mean range?); dhcp's keys: subnet, range, router, dns, domain, lease, server,"
                + " reserve, routes", refusal("dhcp/subnet", "10.0.0.0/24", "dhcp/rnage", "x"));
        assertEquals("dhcp/range is given without dhcp/subnet, the network it is for", refusal("dhcp/range", "10.0.0.1-10.0.0.2"));
        assertEquals("dhcp/subnet: 10.0.0.1/24 has host bits set (did you mean 10.0.0.0/24?)", refusal("dhcp/subnet", "10.0.0.1/24"));
        assertEquals("dhcp/router: 10.9.0.1 is outside dhcp/subnet 10.0.0.0/24",
                refusal("dhcp/subnet", "10.0.0.0/24", "dhcp/router", "10.9.0.1"));
        assertEquals("dhcp/range: 10.0.0.9 comes after 10.0.0.2", refusal("dhcp/subnet", "10.0.0.0/24", "dhcp/range", "10.0.0.9-10.0.0.2"));
        assertEquals("dhcp/10/lease: 5 is outside 60-31536000 seconds", refusal("dhcp/10/subnet", "10.0.0.0/24", "dhcp/10/lease", "5"));
        assertEquals("dhcp/5000/subnet: VLAN 5000 is outside 1-4094", refusal("dhcp/5000/subnet", "10.0.0.0/24"));
        assertEquals("dhcp/reserve: 10.0.0.5 is reserved twice",
                refusal("dhcp/subnet", "10.0.0.0/24", "dhcp/reserve", "02:00:00:00:00:01=10.0.0.5,02:00:00:00:00:02=10.0.0.5"));
        assertEquals("dhcp/dns: 'ns1' is not an IPv4 address", refusal("dhcp/subnet", "10.0.0.0/24", "dhcp/dns", "ns1"));
        assertEquals("dhcp/server: 10.0.0.1 is the router's address; the server needs its own",
                refusal("dhcp/subnet", "10.0.0.0/24", "dhcp/router", "10.0.0.1", "dhcp/server", "10.0.0.1"));
        assertEquals("dhcp/range: 131070 addresses; at most 65536 are served", refusal("dhcp/subnet", "10.0.0.0/15"));
    }
}
