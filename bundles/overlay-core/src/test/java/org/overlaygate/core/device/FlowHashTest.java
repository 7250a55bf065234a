package org.overlaygate.core.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import org.junit.Test;

public class FlowHashTest {

    private static ByteBuffer tcp(int srcIp, int dstIp, int srcPort, int dstPort) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20);
        b.putShort(12, (short) 0x0800);
        b.put(14, (byte) 0x45);
        b.put(14 + 9, (byte) 6);
        b.putInt(14 + 12, srcIp);
        b.putInt(14 + 16, dstIp);
        b.putShort(34, (short) srcPort);
        b.putShort(36, (short) dstPort);
        return b;
    }

    @Test
    public void sameFlowSameHashDifferentPortsSpread() {
        assertEquals(FlowHash.of(tcp(1, 2, 1000, 80), 0, 54), FlowHash.of(tcp(1, 2, 1000, 80), 0, 54));
        assertNotEquals(FlowHash.of(tcp(1, 2, 1000, 80), 0, 54), FlowHash.of(tcp(1, 2, 1001, 80), 0, 54));
        Set<Integer> buckets = new HashSet<>();
        for (int port = 1000; port < 1256; port++) {
            buckets.add(Math.floorMod(FlowHash.of(tcp(1, 2, port, 80), 0, 54), 16));
        }
        assertEquals("256 flows reach all 16 source ports", 16, buckets.size());
    }

    @Test
    public void truncatedAndNonIpFramesHashWithoutFailing() {
        assertEquals(0, FlowHash.of(ByteBuffer.allocate(10), 0, 10));
        ByteBuffer arp = ByteBuffer.allocate(42);
        arp.putShort(12, (short) 0x0806);
        ByteBuffer otherArp = ByteBuffer.allocate(42);
        otherArp.putShort(12, (short) 0x0806);
        otherArp.put(5, (byte) 1);
        assertNotEquals("non-IP frames hash by MAC", FlowHash.of(arp, 0, 42), FlowHash.of(otherArp, 0, 42));
        ByteBuffer shortIp = tcp(1, 2, 3, 4);
        FlowHash.of(shortIp, 0, 20); // says IPv4 but is cut short
        ByteBuffer vlan = ByteBuffer.allocate(64);
        vlan.putShort(12, (short) 0x8100);
        vlan.putShort(16, (short) 0x8100);
        FlowHash.of(vlan, 0, 18); // stacked tags cut short: must not read past the frame
    }
}
