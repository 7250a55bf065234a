package org.overlaygate.encap.nvgre;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.Test;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.property.PropertyValues;

public class NvgreCodecTest {
    private final NvgrePlugin plugin = new NvgrePlugin();

    private static ByteBuffer packet(int flagsVersion, int protocol, int key, int innerType, int innerLength) {
        ByteBuffer b = ByteBuffer.allocate(8 + innerLength);
        b.putShort((short) flagsVersion).putShort((short) protocol).putInt(key);
        if (innerLength >= 14) {
            b.putShort(8 + 12, (short) innerType);
        }
        return b.position(0);
    }

    private static void assertDropped(ByteBuffer packet, String reason) {
        DecapResult r = new DecapResult();
        assertFalse(new NvgreCodec(-1).decapsulate(packet, r));
        assertEquals(reason, r.dropReason());
        // Only a valid NVGRE header carrying a VLAN-tagged frame names its overlay (VSID 0x001000 here): counted there.
        assertEquals(reason, reason.equals(NvgreCodec.DROP_INNER_VLAN) ? 0x001000 : -1, r.vnetId());
    }

    @Test
    public void encapsulatesRfc7637HeaderWithConstantFlowId() throws Exception {
        Encapsulator e = plugin.newEncapsulator(PropertyValues.validate(plugin.properties(),
                Map.of("nvgre/listen_ip", "10.0.0.1", "nvgre/flowid", "7")));
        ByteBuffer buf = ByteBuffer.allocate(16);
        e.encapsulate(buf, 2, 5001, 0xCAFEBABE);
        assertArrayEquals(new byte[] {0x20, 0x00, 0x65, 0x58, 0x00, 0x13, (byte) 0x89, 0x07}, Arrays.copyOfRange(buf.array(), 2, 10));
    }

    @Test
    public void hashedFlowIdFollowsTheFlowAndSpreads() throws Exception {
        Encapsulator e = plugin.newEncapsulator(PropertyValues.validate(plugin.properties(), Map.of("nvgre/listen_ip", "10.0.0.1")));
        ByteBuffer buf = ByteBuffer.allocate(8);
        Set<Byte> ids = new HashSet<>();
        for (int h = 0; h < 4096; h++) {
            e.encapsulate(buf, 0, 5001, h * 0x9E3779B9);
            ids.add(buf.get(7));
            assertEquals("VSID intact", 5001, buf.getInt(4) >>> 8);
        }
        assertTrue("FlowIDs used: " + ids.size(), ids.size() > 200);
        e.encapsulate(buf, 0, 5001, 42);
        byte first = buf.get(7);
        e.encapsulate(buf, 0, 5001, 42);
        assertEquals("the same flow keeps its FlowID", first, buf.get(7));
    }

    @Test
    public void roundTripsAndMovesToTheInnerFrame() {
        ByteBuffer b = packet(0x2000, 0x6558, 0x12345678, 0x0800, 60);
        DecapResult r = new DecapResult();
        assertTrue(new NvgreCodec(-1).decapsulate(b, r));
        assertEquals(0x123456, r.vnetId());
        assertNull(r.dropReason());
        assertEquals(8, b.position());
    }

    @Test
    public void refusesEveryMalformedHeader() {
        assertDropped(packet(0x2000, 0x6558, 0, 0x0800, 13), NvgreCodec.DROP_SHORT);
        assertDropped(ByteBuffer.allocate(3), NvgreCodec.DROP_SHORT);
        assertDropped(packet(0xA000, 0x6558, 0, 0x0800, 60), NvgreCodec.DROP_CHECKSUM);
        assertDropped(packet(0x3000, 0x6558, 0, 0x0800, 60), NvgreCodec.DROP_SEQUENCE);
        assertDropped(packet(0x0000, 0x6558, 0, 0x0800, 60), NvgreCodec.DROP_NO_KEY);
        assertDropped(packet(0x6000, 0x6558, 0, 0x0800, 60), NvgreCodec.DROP_RESERVED); // the routing bit ("0x4000 is not K")
        assertDropped(packet(0x2080, 0x6558, 0, 0x0800, 60), NvgreCodec.DROP_RESERVED);
        assertDropped(packet(0x2001, 0x6558, 0, 0x0800, 60), NvgreCodec.DROP_VERSION);
        assertDropped(packet(0x2000, 0x0800, 0, 0x0800, 60), NvgreCodec.DROP_PROTOCOL);
        assertDropped(packet(0x2000, 0x6558, 0x00100000, 0x8100, 60), NvgreCodec.DROP_INNER_VLAN);
    }

    @Test
    public void vsidRangeAndDefaults() throws Exception {
        assertNull(plugin.checkVnetId(0x1000));
        assertNull(plugin.checkVnetId(0xFFFFFE));
        assertTrue(plugin.checkVnetId(0xFFF).contains("RFC 7637 reserves"));
        assertTrue(plugin.checkVnetId(0xFFFFFF).contains("RFC 7637 reserves"));
        assertEquals(1458, plugin.defaultMtu());
        assertEquals("ip/47", plugin.transport().toString());
        assertFalse(plugin.carriesInnerVlanTags());
        PropertyValues.validate(plugin.properties(), Map.of("nvgre/listen_ip", "10.0.0.1"));
    }
}
