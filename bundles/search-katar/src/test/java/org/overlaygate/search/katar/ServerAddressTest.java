package org.overlaygate.search.katar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;
import org.overlaygate.api.property.PropertyException;

/** {@code katar/host} with and without a port (issue 21: {@code 127.0.0.1:1296} sat DEGRADED as "invalid IPv6 address literal"). */
public class ServerAddressTest {
    private static ServerAddress parse(String host) throws PropertyException {
        return ServerAddress.parse(host, 1296, false);
    }

    private static String refused(String host, int port, boolean given) {
        return assertThrows(PropertyException.class, () -> ServerAddress.parse(host, port, given)).getMessage();
    }

    @Test
    public void aHostAloneTakesKatarPort() throws Exception {
        assertEquals(new ServerAddress("katar.example", 1296), parse("katar.example"));
        assertEquals(new ServerAddress("10.0.0.1", 1296), parse(" 10.0.0.1 "));
        assertEquals(new ServerAddress("fd00::1", 1296), parse("fd00::1"));
        assertEquals(new ServerAddress("fd00::1", 1296), parse("[fd00::1]"));
        assertEquals(new ServerAddress("10.0.0.1", 1400), ServerAddress.parse("10.0.0.1", 1400, true));
    }

    @Test
    public void aPortInTheHostReplacesKatarPortsDefault() throws Exception {
        assertEquals(new ServerAddress("127.0.0.1", 1296), parse("127.0.0.1:1296"));
        assertEquals(new ServerAddress("127.0.0.1", 1400), parse("127.0.0.1:1400"));
        assertEquals(new ServerAddress("katar.example", 9000), parse("katar.example:9000"));
        assertEquals(new ServerAddress("fd00::1", 9000), parse("[fd00::1]:9000"));
        assertEquals("[fd00::1]:9000", parse("[fd00::1]:9000").label());
        assertEquals("the same port given twice is no conflict", new ServerAddress("10.0.0.1", 1400),
                ServerAddress.parse("10.0.0.1:1400", 1400, true));
    }

    @Test
    public void twoDifferentPortsAreAConflict() {
        assertEquals("katar/host names port 1400 but katar/port is 1296: give the port once", refused("10.0.0.1:1400", 1296, true));
    }

    @Test
    public void whatIsNoHostIsRefusedInOneLine() {
        assertEquals("katar/host: '10.0.0.1:' has no port after the ':' (HOST:PORT or [IPv6]:PORT, a port 1-65535)",
                refused("10.0.0.1:", 1296, false));
        assertEquals("katar/host: 'h:http' has no port after the ':' (HOST:PORT or [IPv6]:PORT, a port 1-65535)",
                refused("h:http", 1296, false));
        assertEquals("katar/host: '10.0.0.1:70000' has port 70000, out of range 1-65535", refused("10.0.0.1:70000", 1296, false));
        assertEquals("katar/host: '10.0.0.1:0' has port 0, out of range 1-65535", refused("10.0.0.1:0", 1296, false));
        assertEquals("katar/host: 'fd00::1::2:1296' is not an IPv6 address (with a port, an IPv6 address is written [ADDRESS]:PORT)",
                refused("fd00::1::2:1296", 1296, false));
        assertEquals("katar/host: '[fd00::1' has a '[' without its ']'", refused("[fd00::1", 1296, false));
        assertEquals("katar/host: '[fd00::1]1296' has '1296' after the ']'", refused("[fd00::1]1296", 1296, false));
        assertEquals("katar/host: '[10.0.0.1]:1296' has '10.0.0.1' in brackets, which is not an IPv6 address",
                refused("[10.0.0.1]:1296", 1296, false));
        assertEquals("katar/host: ':1296' is not a host name or address", refused(":1296", 1296, false));
        assertEquals("katar/host: 'katar one' is not a host name or address", refused("katar one", 1296, false));
        assertEquals("katar/host: 'a,b' is not a host name or address", refused("a,b", 1296, false));
    }
}
