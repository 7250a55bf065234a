package org.overlaygate.encap.vxlan;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.encap.DecapResult;
import org.overlaygate.api.property.PropertyException;
import org.overlaygate.api.property.PropertyValues;

public class VxlanCodecTest {
    private final VxlanCodec codec = new VxlanCodec();

    private static ByteBuffer packet(byte[] header, int innerLength) {
        ByteBuffer buf = ByteBuffer.allocate(header.length + innerLength);
        buf.put(header);
        for (int i = 0; i < innerLength; i++) {
            buf.put((byte) i);
        }
        return buf.flip();
    }

    @Test
    public void encapsulatesRfc7348HeaderExactly() {
        ByteBuffer buf = ByteBuffer.allocate(20);
        codec.encapsulate(buf, 4, 0x123456, 0xdeadbeef);
        byte[] header = Arrays.copyOfRange(buf.array(), 4, 12);
        assertArrayEquals(new byte[] {0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0}, header);
        assertEquals(0, buf.position());
    }

    @Test
    public void decapsulatesAndMovesToInnerFrame() {
        ByteBuffer buf = packet(new byte[] {0x08, 0, 0, 0, 0x00, 0x10, (byte) 0x92, 0}, 60);
        DecapResult r = new DecapResult();
        assertTrue(codec.decapsulate(buf, r));
        assertEquals(4242, r.vnetId());
        assertNull(r.dropReason());
        assertEquals(8, buf.position());
        assertEquals(0, buf.get());
    }

    @Test
    public void ignoresReservedBitsOnReceipt() {
        ByteBuffer buf = packet(new byte[] {(byte) 0xF7 | 0x08, 0x7f, 0x11, 0x22, 0x00, 0x00, 0x2a, (byte) 0xEE}, 14);
        DecapResult r = new DecapResult();
        assertTrue(codec.decapsulate(buf, r));
        assertEquals(42, r.vnetId());
    }

    @Test
    public void dropsWithoutIFlagOrWhenShort() {
        DecapResult r = new DecapResult();
        assertFalse(codec.decapsulate(packet(new byte[] {0x00, 0, 0, 0, 0, 0, 1, 0}, 14), r));
        assertEquals(VxlanCodec.DROP_NO_I_FLAG, r.dropReason());
        assertFalse(codec.decapsulate(packet(new byte[] {0x08, 0, 0, 0, 0, 0, 1, 0}, 13), r));
        assertEquals(VxlanCodec.DROP_SHORT, r.dropReason());
        assertFalse(codec.decapsulate(ByteBuffer.allocate(0), r));
        assertEquals(VxlanCodec.DROP_SHORT, r.dropReason());
    }

    /**
     * RFC 7348 6.1: a tagged inner frame SHOULD be discarded "unless configured otherwise": an
     * overlay with VLAN VNICs is, so the decapsulator passes it on and the core decides per
     * overlay (it drops those of VLANs no local VNIC has, as vlan_mismatch).
     */
    @Test
    public void passesInnerVlanTaggedFramesOnForTheCoreToDecide() {
        byte[] header = {0x08, 0, 0, 0, 0, 0, 1, 0};
        ByteBuffer buf = ByteBuffer.allocate(8 + 18);
        buf.put(header).position(8 + 12);
        buf.putShort((short) 0x8100).putShort((short) 5).putShort((short) 0x0800);
        buf.flip();
        DecapResult r = new DecapResult();
        assertTrue(codec.decapsulate(buf, r));
        assertEquals(1, r.vnetId());
        assertTrue(new VxlanPlugin().innerVlanTagsConfigurable());
        assertFalse(new VxlanPlugin().carriesInnerVlanTags());
    }

    @Test
    public void roundTripsEveryVniBoundary() {
        DecapResult r = new DecapResult();
        for (long vni : new long[] {0, 1, 4095, 4096, 0x7FFFFF, 0xFFFFFF}) {
            ByteBuffer buf = ByteBuffer.allocate(8 + 14);
            codec.encapsulate(buf, 0, vni, 0);
            assertTrue(codec.decapsulate(buf, r));
            assertEquals(vni, r.vnetId());
        }
    }

    @Test
    public void pluginDescribesTransportAndProperties() throws PropertyException {
        VxlanPlugin plugin = new VxlanPlugin();
        assertEquals("udp/4789", plugin.transport().toString());
        assertEquals("vxlan/listen_ip", plugin.transport().listenAddressProperty());
        assertEquals("vxlan/listen_port", plugin.transport().listenPortProperty());
        assertNull(plugin.checkVnetId(0xFFFFFF));
        assertEquals("vnet id 16777216 is out of range 0-16777215 for vxlan", plugin.checkVnetId(0x1000000));
        PropertyValues v = PropertyValues.validate(plugin.properties(), Map.of("vxlan/listen_ip", "127.0.0.1"));
        assertEquals(4789, v.getInt("vxlan/listen_port"));
    }
}
