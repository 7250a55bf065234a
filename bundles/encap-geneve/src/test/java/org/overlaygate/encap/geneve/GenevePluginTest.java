package org.overlaygate.encap.geneve;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertyValues;

/** The plugin's description, and the options property in tc's syntax with every refusal. */
public class GenevePluginTest {
    private final GenevePlugin plugin = new GenevePlugin();

    private Encapsulator encapsulator(String options) throws PropertyException {
        Map<String, String> p = options == null ? Map.of("geneve/listen_ip", "127.0.0.1")
                : Map.of("geneve/listen_ip", "127.0.0.1", "geneve/options", options);
        return plugin.newEncapsulator(PropertyValues.validate(plugin.properties(), p));
    }

    private String refusal(String options) {
        return assertThrows(PropertyException.class, () -> encapsulator(options)).getMessage();
    }

    @Test
    public void describesTransportRangeMtuAndHeaderRoom() throws PropertyException {
        assertEquals("geneve", plugin.name());
        assertEquals("udp/6081", plugin.transport().toString());
        assertEquals("geneve/listen_ip", plugin.transport().listenAddressProperty());
        assertEquals("geneve/listen_port", plugin.transport().listenPortProperty());
        PropertyValues v = PropertyValues.validate(plugin.properties(), Map.of("geneve/listen_ip", "10.0.0.1"));
        assertEquals(6081, v.getInt("geneve/listen_port"));
        assertFalse("no options by default", v.has("geneve/options"));
        assertNull(plugin.checkVnetId(0));
        assertNull(plugin.checkVnetId(0xFFFFFF));
        assertEquals("vnet id 16777216 is out of range 0-16777215 for geneve", plugin.checkVnetId(0x1000000));
        assertEquals(50, plugin.overheadIpv4());
        assertEquals(1450, plugin.defaultMtu());
        assertEquals("the 64 bytes the data path keeps in front of a frame", 64, plugin.headerLength());
        assertTrue(plugin.carriesInnerVlanTags());
        assertSame(plugin.decapsulator(), new GenevePlugin().decapsulator());
    }

    @Test
    public void theHeaderLengthIsPerOverlayAndNeverMoreThanDeclared() throws PropertyException {
        assertEquals(8, encapsulator(null).headerLength());
        assertEquals(8 + 8, encapsulator("0102:80:00000001").headerLength());
        assertEquals(8 + 4 + 4 + 12, encapsulator("1:1:, 0x2:0x2: , ffff:ff:0102030405060708").headerLength());
        String largest = "0001:01:" + "00".repeat(52); // 4 + 52 = 56 bytes
        assertEquals(plugin.headerLength(), encapsulator(largest).headerLength());
    }

    @Test
    public void optionsThatCannotBeSentAreRefusedWithTheReason() {
        assertEquals("geneve/options: 'abc' is not CLASS:TYPE:DATA (hexadecimal, as tc's geneve_opts)", refusal("abc"));
        assertEquals("geneve/options: '1:2:3:4' is not CLASS:TYPE:DATA (hexadecimal, as tc's geneve_opts)", refusal("1:2:3:4"));
        assertEquals("geneve/options: CLASS of '10000:1:' is not a hexadecimal number of at most 4 digits", refusal("10000:1:"));
        assertEquals("geneve/options: TYPE of '1:xy:' is not a hexadecimal number of at most 2 digits", refusal("1:xy:"));
        assertEquals("geneve/options: TYPE of '1::' is not a hexadecimal number of at most 2 digits", refusal("1::"));
        assertEquals("geneve/options: DATA of '1:1:0102030g' is not hexadecimal", refusal("1:1:0102030g"));
        assertEquals("geneve/options: DATA of '1:1:010203' is 6 hex digits; Geneve option data comes in 4-byte words (8 digits)",
                refusal("1:1:010203"));
        assertEquals("geneve/options: DATA of '1:1:" + "00".repeat(128) + "' is 128 bytes; an option carries at most 124",
                refusal("1:1:" + "00".repeat(128)));
        assertEquals("geneve/options: 60 bytes of options; at most 56 fit in front of a frame (a 64-byte Geneve header)",
                refusal("1:1:" + "00".repeat(52) + ",2:2:"));
        assertEquals("geneve/options: '' is not CLASS:TYPE:DATA (hexadecimal, as tc's geneve_opts)", refusal("1:1:, "));
    }
}
