package org.overlaygate.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;

import org.junit.Test;

public class MacAddressTest {

    @Test
    public void parsesAndFormats() {
        long mac = MacAddress.parse("02:08:20:AA:bb:0c");
        assertEquals(0x020820AABB0CL, mac);
        assertEquals("02:08:20:aa:bb:0c", MacAddress.format(mac));
        assertEquals(0x020820010203L, MacAddress.parse("2:8:20:1:2:3"));
        assertEquals(0x020820010203L, MacAddress.parse("02-08-20-01-02-03"));
    }

    @Test
    public void refusesMalformedText() {
        for (String bad : new String[] {"", "02:08:20:aa:bb", "02:08:20:aa:bb:cc:dd", "02:08:20:aa:bb:zz", "020:8:20:1:2:3", "1:2:3:4:5:"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad));
            assertTrue(e.getMessage(), e.getMessage().startsWith("bad MAC address"));
        }
    }

    @Test
    public void readsAndWritesBuffersAndArrays() {
        ByteBuffer buf = ByteBuffer.allocate(16);
        MacAddress.write(buf, 3, 0xFEDCBA987654L);
        assertEquals(0xFEDCBA987654L, MacAddress.read(buf, 3));
        assertEquals((byte) 0xFE, buf.get(3));
        assertEquals((byte) 0x54, buf.get(8));
        assertEquals(0, buf.position());
        byte[] bytes = new byte[8];
        MacAddress.write(bytes, 1, 0x0123456789ABL);
        assertEquals(0x0123456789ABL, MacAddress.read(bytes, 1));
        assertEquals(0x01, bytes[1]);
    }

    @Test
    public void classifiesAddresses() {
        assertTrue(MacAddress.isBroadcast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isGroup(MacAddress.BROADCAST));
        assertTrue(MacAddress.isGroup(MacAddress.parse("33:33:00:00:00:01")));
        assertTrue(MacAddress.isGroup(MacAddress.parse("01:00:5e:00:00:01")));
        assertFalse(MacAddress.isGroup(MacAddress.parse("02:00:00:00:00:01")));
        assertTrue(MacAddress.isLocallyAdministered(MacAddress.parse("02:00:00:00:00:01")));
        assertFalse(MacAddress.isLocallyAdministered(MacAddress.parse("00:16:3e:00:00:01")));
    }
}
