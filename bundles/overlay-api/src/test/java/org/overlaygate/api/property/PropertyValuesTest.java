package org.overlaygate.api.property;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class PropertyValuesTest {
    private static final List<PropertySpec> SPECS = List.of(
            PropertySpec.builder("vxlan/listen_ip", PropertyType.IP).required().build(),
            PropertySpec.builder("vxlan/listen_port", PropertyType.UINT).range(1, 65535).defaultValue("4789").build(),
            PropertySpec.builder("x/mode", PropertyType.STRING).possible("fast", "slow").defaultValue("fast").build(),
            PropertySpec.builder("x/flag", PropertyType.BOOLEAN).defaultValue("false").build(),
            PropertySpec.builder("x/mac", PropertyType.MAC).build());

    @Test
    public void appliesDefaultsAndParsesTypes() throws Exception {
        PropertyValues v = PropertyValues.validate(SPECS, Map.of("vxlan/listen_ip", "10.0.0.1", "x/flag", "on", "x/mac", "2:0:0:0:0:1"));
        assertEquals("10.0.0.1", v.getAddress("vxlan/listen_ip").getHostAddress());
        assertEquals(4789, v.getInt("vxlan/listen_port"));
        assertEquals("fast", v.getString("x/mode"));
        assertTrue(v.getBoolean("x/flag"));
        assertEquals(0x020000000001L, v.getMac("x/mac"));
        assertTrue(v.isGiven("x/flag"));
        assertFalse(v.isGiven("vxlan/listen_port"));
        assertEquals("4789", v.getText("vxlan/listen_port"));
        assertEquals(Map.of("vxlan/listen_ip", "10.0.0.1", "x/flag", "on", "x/mac", "2:0:0:0:0:1"), v.given());
    }

    @Test
    public void listsEveryMissingRequiredProperty() {
        List<PropertySpec> specs = List.of(
                PropertySpec.builder("a/one", PropertyType.IP).required().build(),
                PropertySpec.builder("a/two", PropertyType.UINT).range(1, 2).required().build());
        PropertyException e = assertThrows(PropertyException.class, () -> PropertyValues.validate(specs, Map.of()));
        assertEquals("missing required properties: a/one, a/two", e.getMessage());
    }

    @Test
    public void refusesUnknownAndBadValues() {
        PropertyException unknown = assertThrows(PropertyException.class,
                () -> PropertyValues.validate(SPECS, Map.of("vxlan/listen_ip", "10.0.0.1", "vxlan/lisen_port", "1")));
        assertTrue(unknown.getMessage(), unknown.getMessage().startsWith("unknown property: vxlan/lisen_port"));
        assertEquals("vxlan/listen_port: 0 is out of range 1-65535", assertThrows(PropertyException.class,
                () -> PropertyValues.validate(SPECS, Map.of("vxlan/listen_ip", "10.0.0.1", "vxlan/listen_port", "0"))).getMessage());
        assertEquals("vxlan/listen_port: 'abc' is not a number", assertThrows(PropertyException.class,
                () -> PropertyValues.validate(SPECS, Map.of("vxlan/listen_ip", "10.0.0.1", "vxlan/listen_port", "abc"))).getMessage());
        assertEquals("vxlan/listen_ip: 'host.example' is not an IP address", assertThrows(PropertyException.class,
                () -> PropertyValues.validate(SPECS, Map.of("vxlan/listen_ip", "host.example"))).getMessage());
        assertEquals("x/mode: 'medium' is not one of fast, slow", assertThrows(PropertyException.class,
                () -> PropertyValues.validate(SPECS, Map.of("vxlan/listen_ip", "10.0.0.1", "x/mode", "medium"))).getMessage());
        assertThrows(PropertyException.class, () -> PropertyValues.validate(SPECS, Map.of("vxlan/listen_ip", "10.0.0.1", "x/flag", "maybe")));
    }

    @Test
    public void specRefusesInvalidDefaultAndPrintsPossible() throws PropertyException {
        assertThrows(IllegalArgumentException.class,
                () -> PropertySpec.builder("a/p", PropertyType.UINT).range(1, 10).defaultValue("11").build());
        assertEquals("1-65535", SPECS.get(1).possibleText());
        assertEquals("fast,slow", SPECS.get(2).possibleText());
        assertEquals("--", SPECS.get(0).possibleText());
        assertEquals(0x10L, ((Long) PropertySpec.builder("a/h", PropertyType.UINT).build().parse("0x10")).longValue());
    }

    @Test
    public void numbersBeyondTheRangeAreRefusedNotTruncated() throws PropertyException {
        PropertySpec plain = PropertySpec.builder("a/n", PropertyType.UINT).build();
        assertEquals((long) Integer.MAX_VALUE, ((Long) plain.parse(Integer.toString(Integer.MAX_VALUE))).longValue());
        assertEquals("a/n: 2147483648 is out of range 0-2147483647",
                assertThrows(PropertyException.class, () -> plain.parse("2147483648")).getMessage());
        assertEquals("a/n: 9999999999 is out of range 0-2147483647",
                assertThrows(PropertyException.class, () -> plain.parse("9999999999")).getMessage());
        assertEquals("digits beyond a long are out of range too, not 'not a number'",
                "a/n: 99999999999999999999999 is out of range 0-2147483647",
                assertThrows(PropertyException.class, () -> plain.parse("99999999999999999999999")).getMessage());
        assertEquals("a/n: 0x100000000 is out of range 0-2147483647",
                assertThrows(PropertyException.class, () -> plain.parse("0x100000000")).getMessage());
        assertEquals("a/n: -1 is out of range 0-2147483647", assertThrows(PropertyException.class, () -> plain.parse("-1")).getMessage());
        assertEquals("a/n: '1e3' is not a number", assertThrows(PropertyException.class, () -> plain.parse("1e3")).getMessage());
        assertEquals("a/n: '0x' is not a number", assertThrows(PropertyException.class, () -> plain.parse("0x")).getMessage());

        PropertySpec wide = PropertySpec.builder("a/w", PropertyType.UINT).range(0, 0xFFFFFFFFL).build();
        PropertyValues v = PropertyValues.validate(List.of(wide), Map.of("a/w", "4294967295"));
        assertEquals(4294967295L, v.getLong("a/w"));
    }

    @Test
    public void anAddressWithALeadingZeroIsRefusedSinceCToolsReadItAsOctal() {
        PropertySpec dest = PropertySpec.builder("direct/dest_ip", PropertyType.IP).required().unicast().build();
        assertEquals("direct/dest_ip: '0177.0.0.1' has a leading zero in '0177': octal to C tools, decimal to others;"
                + " write the number without it", assertThrows(PropertyException.class, () -> dest.parse("0177.0.0.1")).getMessage());
        assertThrows(PropertyException.class, () -> dest.parse("10.0.0.01"));
        assertThrows(PropertyException.class, () -> dest.parse("10.00.0.1"));
        PropertySpec any = PropertySpec.builder("e/group", PropertyType.IP).build();
        assertThrows("not only for unicast properties", PropertyException.class, () -> any.parse("0239.1.1.1"));
    }

    @Test
    public void unicastAddressesOnlyWhereTheSpecSaysSo() throws PropertyException {
        PropertySpec listen = PropertySpec.builder("e/listen_ip", PropertyType.IP).required().unicast().build();
        assertTrue(listen.unicast());
        assertEquals("10.0.0.1", ((java.net.InetAddress) listen.parse("10.0.0.1")).getHostAddress());
        listen.parse("fd00::1");
        listen.parse("127.0.0.2");
        listen.parse("10.255.255.255"); // a subnet's broadcast is indistinguishable without the prefix length
        assertEquals("e/listen_ip: 224.0.0.1 is a multicast address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("224.0.0.1")).getMessage());
        assertEquals("e/listen_ip: ff02::1 is a multicast address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("ff02::1")).getMessage());
        assertEquals("e/listen_ip: 255.255.255.255 is the broadcast address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("255.255.255.255")).getMessage());
        assertEquals("e/listen_ip: 0.0.0.0 is the unspecified address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("0.0.0.0")).getMessage());
        assertEquals("e/listen_ip: :: is the unspecified address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("::")).getMessage());
        assertEquals("e/listen_ip: ::ffff:239.1.1.1 is a multicast address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("::ffff:239.1.1.1")).getMessage());

        assertEquals("e/listen_ip: 240.0.0.1 is a reserved (class E, 240.0.0.0/4) address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("240.0.0.1")).getMessage());
        assertEquals("e/listen_ip: 255.255.255.254 is a reserved (class E, 240.0.0.0/4) address; a unicast address is needed",
                assertThrows(PropertyException.class, () -> listen.parse("255.255.255.254")).getMessage());
        assertThrows(PropertyException.class, () -> listen.parse("::ffff:240.1.2.3"));
        listen.parse("223.255.255.255"); // the last of class C is unicast

        PropertySpec any = PropertySpec.builder("e/group", PropertyType.IP).build();
        assertFalse(any.unicast());
        any.parse("239.1.1.1");
        any.parse("0.0.0.0");
        assertThrows(IllegalArgumentException.class, () -> PropertySpec.builder("e/n", PropertyType.UINT).unicast());
    }
}
