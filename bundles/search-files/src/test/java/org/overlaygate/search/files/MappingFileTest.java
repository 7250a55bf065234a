package org.overlaygate.search.files;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import java.net.InetAddress;

import org.junit.Test;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;

/** The overlay_files(5) format read strictly: every good form, and every refusal with its line and reason. */
public class MappingFileTest {
    private static final MappingFile.Underlay UDP4 = new MappingFile.Underlay(true, true);
    private static final MappingFile.Underlay IP4 = new MappingFile.Underlay(false, true);

    private static final String EXAMPLE = """
            {
              "02:08:20:00:00:01": { "ip": "10.88.0.1", "port": 6081, "arp": "192.168.100.1", "ndp": "fd00::1" },
              "02:08:20:00:00:02": {
                "ip": "10.88.0.2",
                "port": 6082,
                "arp": "192.168.100.2"
              },
              "2:8:20:0:0:3": { "port": 6081, "ip": "fd88::3" }
            }
            """;

    private static long mac(String text) {
        return MacAddress.parse(text);
    }

    private static String refusal(String text, MappingFile.Underlay underlay) {
        MappingException e = assertThrows(MappingException.class, () -> MappingFile.parse(text, underlay));
        return e.describe("/m.json");
    }

    private static String refusal(String text) {
        return refusal(text, UDP4);
    }

    @Test
    public void readsDestinationsAndProxiedAddresses() throws Exception {
        Mapping m = MappingFile.parse(EXAMPLE, MappingFile.Underlay.UNKNOWN);
        assertEquals(3, m.size());
        assertEquals(UnderlayAddress.parse("10.88.0.1:6081"), m.destination(mac("02:08:20:00:00:01")));
        assertEquals(UnderlayAddress.parse("10.88.0.2:6082"), m.destination(mac("02:08:20:00:00:02")));
        assertEquals(UnderlayAddress.parse("[fd88::3]:6081"), m.destination(mac("02:08:20:00:00:03")));
        assertNull(m.destination(mac("02:08:20:00:00:04")));
        assertEquals(Long.valueOf(mac("02:08:20:00:00:01")), m.macOf(InetAddress.getByName("192.168.100.1")));
        assertEquals(Long.valueOf(mac("02:08:20:00:00:01")), m.macOf(InetAddress.getByName("fd00::1")));
        assertEquals(Long.valueOf(mac("02:08:20:00:00:02")), m.macOf(InetAddress.getByName("192.168.100.2")));
        assertNull(m.macOf(InetAddress.getByName("192.168.100.3")));
        assertEquals(0, MappingFile.parse(" {\n}\n", UDP4).size());
    }

    @Test
    public void overIpThereAreNoPorts() throws Exception {
        Mapping m = MappingFile.parse("{ \"02:00:00:00:00:01\": { \"ip\": \"10.0.0.2\" } }", IP4);
        assertEquals(UnderlayAddress.parse("10.0.0.2"), m.destination(mac("02:00:00:00:00:01")));
        assertEquals("file /m.json, line 3: \"port\" of 02:00:00:00:00:01 has no use: the overlay's encapsulation runs over IP, without ports",
                refusal("{\n \"02:00:00:00:00:01\": { \"ip\": \"10.0.0.2\",\n   \"port\": 4789 } }", IP4));
    }

    @Test
    public void unknownKeysAreRefusedWithTheLineAndKey() {
        assertEquals("file /m.json, line 5: unknown key \"prot\" in 02:08:20:00:00:02 (known: arp, dhcp, dhcp-proxy, ip, ndp, port)",
                refusal(EXAMPLE.replace("\"port\": 6082", "\"prot\": 6082")));
    }

    @Test
    public void dhcpReservationsAndIllumosDhcpProxy() throws Exception {
        Mapping m = MappingFile.parse(EXAMPLE.replace("\"arp\": \"192.168.100.2\"",
                "\"arp\": \"192.168.100.2\", \"dhcp\": \"192.168.100.2\", \"dhcp-proxy\": \"02:08:20:00:00:fe\""), MappingFile.Underlay.UNKNOWN);
        org.overlaygate.api.search.DhcpHint h = m.dhcpOf(mac("02:08:20:00:00:02"));
        assertEquals(InetAddress.getByName("192.168.100.2"), h.reserved());
        assertEquals(mac("02:08:20:00:00:fe"), h.proxyMac());
        assertEquals(org.overlaygate.api.search.DhcpHint.NONE, m.dhcpOf(mac("02:08:20:00:00:01")));
        assertEquals("file /m.json, line 2: \"dhcp-proxy\" of 02:08:20:00:00:01: ff:ff:ff:ff:ff:ff is not a unicast MAC",
                refusal(EXAMPLE.replace("\"ndp\": \"fd00::1\"", "\"dhcp-proxy\": \"ff:ff:ff:ff:ff:ff\"")));
        assertEquals("file /m.json, line 2: \"dhcp\" of 02:08:20:00:00:01: fd00:0:0:0:0:0:0:1 is not a unicast IPv4 address",
                refusal(EXAMPLE.replace("\"ndp\"", "\"dhcp\"")));
    }

    @Test
    public void entriesThatCannotBeUsedAreRefusedWithTheirLine() {
        assertEquals("file /m.json, line 3: 02:08:20:00:00:02 has no \"ip\": the underlay address of the host where it lives",
                refusal(EXAMPLE.replace("\"ip\": \"10.88.0.2\",", "")));
        assertEquals("file /m.json, line 3: 02:08:20:00:00:02 has no \"port\": the overlay's encapsulation runs over UDP",
                refusal(EXAMPLE.replace("\"port\": 6082,", "")));
        assertEquals("file /m.json, line 5: \"port\" of 02:08:20:00:00:02: 65536 is not a port (1-65535)",
                refusal(EXAMPLE.replace("6082", "65536")));
        assertEquals("file /m.json, line 5: \"port\" of 02:08:20:00:00:02: 6082.5 is not a port (1-65535)",
                refusal(EXAMPLE.replace("6082", "6082.5")));
        assertEquals("file /m.json, line 5: \"port\" of 02:08:20:00:00:02 must be a number like 6081, not a string",
                refusal(EXAMPLE.replace("6082", "\"6082\"")));
        assertEquals("file /m.json, line 4: \"ip\" of 02:08:20:00:00:02: 'host2.example' is not an IP address",
                refusal(EXAMPLE.replace("10.88.0.2", "host2.example")));
        assertEquals("file /m.json, line 4: \"ip\" of 02:08:20:00:00:02: 239.1.1.1 is not a unicast address",
                refusal(EXAMPLE.replace("10.88.0.2", "239.1.1.1")));
        assertEquals("file /m.json, line 4: \"ip\" of 02:08:20:00:00:02 must be a string like \"10.88.0.1\", not a number",
                refusal(EXAMPLE.replace("\"10.88.0.2\"", "10")));
        assertEquals("file /m.json, line 8: \"ip\" of 02:08:20:00:00:03: fd88:0:0:0:0:0:0:3 is IPv6 but the overlay's underlay is IPv4",
                refusal(EXAMPLE));
        assertEquals("file /m.json, line 6: \"arp\" of 02:08:20:00:00:02: fd00:0:0:0:0:0:0:2 is not an IPv4 address",
                refusal(EXAMPLE.replace("192.168.100.2", "fd00::2")));
        assertEquals("file /m.json, line 2: \"ndp\" of 02:08:20:00:00:01: 192.168.100.9 is not an IPv6 address",
                refusal(EXAMPLE.replace("fd00::1", "192.168.100.9")));
        assertEquals("file /m.json, line 6: \"arp\" of 02:08:20:00:00:02: 192.168.100.1 is already 02:08:20:00:00:01's (line 2)",
                refusal(EXAMPLE.replace("192.168.100.2", "192.168.100.1")));
        assertEquals("file /m.json, line 5: \"ip\" of 02:08:20:00:00:02 is given twice (first on line 4)",
                refusal(EXAMPLE.replace("\"port\": 6082", "\"ip\": \"10.88.0.3\"")));
    }

    @Test
    public void macKeysMustBeUnicastMacsGivenOnce() {
        assertEquals("file /m.json, line 8: 02:08:20:00:00:01 is given twice (first on line 2)",
                refusal(EXAMPLE.replace("2:8:20:0:0:3", "2:8:20:0:0:1")));
        assertEquals("file /m.json, line 8: \"2:8:20:0:0\" is not a MAC address (bad MAC address '2:8:20:0:0': expected six octets"
                + " like 02:08:20:aa:bb:cc)", refusal(EXAMPLE.replace("2:8:20:0:0:3", "2:8:20:0:0")));
        assertEquals("file /m.json, line 8: 01:00:5e:00:00:03 is a group (broadcast or multicast) address: only unicast MACs are mapped",
                refusal(EXAMPLE.replace("2:8:20:0:0:3", "01:00:5e:00:00:03")));
        assertEquals("file /m.json, line 3: the value of 02:08:20:00:00:02 must be an object like {\"ip\": \"10.0.0.1\", \"port\": 6081},"
                + " not a string", refusal("{\n \"02:08:20:00:00:01\": {\"ip\": \"10.0.0.1\", \"port\": 1},\n"
                        + " \"02:08:20:00:00:02\": \"10.0.0.2\" }"));
    }

    @Test
    public void badJsonIsRefusedWhereTheReaderStopped() {
        assertEquals("file /m.json, line 1: the file must be one JSON object keyed by MAC address, not an array", refusal("[]"));
        assertEquals("file /m.json: the file is empty (an empty mapping is {})", refusal(" \n"));
        assertEquals("file /m.json, line 2: more after the object that ends here", refusal("{\n}\n{}"));
        assertEquals("file /m.json, line 8: bad JSON: expected a quoted key here (a comma too many before it?)", refusal(EXAMPLE.replace("\"ip\": \"10.88.0.2\",\n", "\"ip\": \"10.88.0.2\",\n\n")
                .replace("\"arp\": \"192.168.100.2\"", "\"arp\": \"192.168.100.2\",")));
        assertEquals("file /m.json, line 2: bad JSON: not strict JSON (a comment, single quotes, an unquoted name or value,"
                + " or a stray separator?)", refusal("{\n // hosts\n}"));
        assertEquals("file /m.json, line 2: bad JSON: the file ends before the JSON does", refusal("{\n \"02:08:20:00:00:01\": {"));
        assertEquals("file /m.json, line 2: bad JSON: not strict JSON (a comment, single quotes, an unquoted name or value,"
                + " or a stray separator?)", refusal("{\n '02:08:20:00:00:01': {} }"));
    }
}
