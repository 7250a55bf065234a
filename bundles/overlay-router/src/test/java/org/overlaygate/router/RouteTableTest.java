package org.overlaygate.router;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/** Longest-prefix match over IPv4 and IPv6 in one 128-bit form, and prefixes as written. */
public class RouteTableTest {
    private static Route route(String prefix, Route.Kind kind) {
        return new Route(Prefix.parse(prefix), kind, null, null);
    }

    private static String match(RouteTable t, String address) {
        long[] a = Ip.parse(address);
        Route r = t.lookup(a[0], a[1]);
        return r == null ? null : r.prefix.toString();
    }

    @Test
    public void theLongestPrefixWins() {
        RouteTable t = new RouteTable(List.of(route("0.0.0.0/0", Route.Kind.STATIC), route("10.0.0.0/8", Route.Kind.STATIC),
                route("10.1.0.0/16", Route.Kind.BLACKHOLE), route("10.1.2.0/24", Route.Kind.CONNECTED), route("10.1.2.128/25", Route.Kind.STATIC),
                route("10.1.2.77/32", Route.Kind.STATIC)));
        assertEquals("10.1.2.77/32", match(t, "10.1.2.77"));
        assertEquals("10.1.2.128/25", match(t, "10.1.2.200"));
        assertEquals("10.1.2.0/24", match(t, "10.1.2.5"));
        assertEquals("10.1.0.0/16", match(t, "10.1.3.5"));
        assertEquals("10.0.0.0/8", match(t, "10.200.3.5"));
        assertEquals("0.0.0.0/0", match(t, "192.0.2.1"));
    }

    @Test
    public void familiesNeverMatchEachOther() {
        RouteTable t = new RouteTable(List.of(route("::/0", Route.Kind.STATIC), route("2001:db8::/32", Route.Kind.STATIC)));
        assertNull("an IPv6 default does not take IPv4", match(t, "10.1.2.3"));
        assertEquals("2001:db8::/32", match(t, "2001:db8:5::1"));
        assertEquals("::/0", match(t, "2001:db9::1"));
        RouteTable four = new RouteTable(List.of(route("0.0.0.0/0", Route.Kind.STATIC)));
        assertNull("an IPv4 default does not take IPv6", match(four, "::1:0:1"));
        assertNull(match(four, "2001:db8::1"));
        assertEquals("0.0.0.0/0", match(four, "255.255.255.254"));
    }

    @Test
    public void ipv6PrefixesOfEveryLength() {
        List<Route> routes = new ArrayList<>();
        for (int len = 0; len <= 128; len += 8) {
            routes.add(route("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff/" + len, Route.Kind.STATIC));
        }
        RouteTable t = new RouteTable(routes);
        assertEquals("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff/128", match(t, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"));
        assertEquals("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120", match(t, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff01"));
        assertEquals("2001:db8:aaaa:bbbb::/64", match(t, "2001:db8:aaaa:bbbb:1::"));
        assertEquals("2001:db8:aaaa:bb00::/56", match(t, "2001:db8:aaaa:bb01::"));
        assertEquals("::/0", match(t, "fe80::1"));
    }

    @Test
    public void connectedBeatsStaticAtTheSameLength() {
        RouteTable t = new RouteTable(List.of(route("10.1.0.0/24", Route.Kind.STATIC), route("10.1.0.0/24", Route.Kind.CONNECTED)));
        long[] a = Ip.parse("10.1.0.9");
        assertEquals(Route.Kind.CONNECTED, t.lookup(a[0], a[1]).kind);
    }

    @Test
    public void prefixesAreParsedAsWrittenOrRefused() {
        assertEquals("10.1.0.0/24", Prefix.parse("10.1.0.77/24").network().toString());
        assertEquals("10.1.0.77/24", Prefix.parse("10.1.0.77/24").toString());
        assertEquals("2001:db8:1::/64", Prefix.parse("2001:db8:1::1/64").network().toString());
        assertEquals(32, Prefix.parse("10.1.0.1").writtenLength());
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("10.1.0.1/33"));
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("2001:db8::/129"));
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("example.com/24"));
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("10.1.0.1/x"));
        assertEquals(true, Prefix.parse("10.1.0.1/24").isDirectedBroadcast(0, Ip.parse("10.1.0.255")[1]));
        assertEquals(false, Prefix.parse("10.1.0.1/24").isDirectedBroadcast(0, Ip.parse("10.1.0.254")[1]));
    }
}
