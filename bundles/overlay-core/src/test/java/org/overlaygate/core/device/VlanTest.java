package org.overlaygate.core.device;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.overlaygate.core.device.Fakes.DEST;
import static org.overlaygate.core.device.Fakes.buffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.AddressRequest;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.testsupport.Frames;

/**
 * Issue 20: VNICs on a VLAN. Their VMs see untagged frames; on the overlay their frames carry the
 * VLAN's tag; they get only their VLAN's frames, broadcast included; a tagged frame from their VM,
 * or one for a VLAN no port here has, is dropped as vlan_mismatch. Ports without a VLAN keep the
 * behaviour they had. Frames are built and checked byte by byte here.
 */
public class VlanTest {
    private static final long MAC_V10 = 0x0200_0000_0010L;
    private static final long MAC_V10B = 0x0200_0000_0011L;
    private static final long MAC_V20 = 0x0200_0000_0020L;
    private static final long MAC_TRUNK = 0x0200_0000_0001L;
    private static final long MAC_REMOTE = 0x0200_0000_0099L;

    private final Fakes.Env env = new Fakes.Env();
    private final Fakes.Mux mux = new Fakes.Mux();
    private final Fakes.Port v10 = new Fakes.Port("v10", MAC_V10, 10);
    private final Fakes.Port v10b = new Fakes.Port("v10b", MAC_V10B, 10);
    private final Fakes.Port v20 = new Fakes.Port("v20", MAC_V20, 20);
    private final Fakes.Port trunk = new Fakes.Port("trunk", MAC_TRUNK);

    private Device device(boolean carriesTags) throws Exception {
        Device d = new Device(DeviceConfig.builder("ovl0", 42).mode(SearchMode.DYNAMIC).encapsulation("fake", Map.of()).build(), env);
        Fakes.Encap encap = new Fakes.Encap();
        encap.carriesTags = carriesTags;
        d.bind(new EncapBinding(encap, "1.0.0", encap, mux));
        for (Fakes.Port p : List.of(v10, v10b, v20, trunk)) {
            d.addPort(p);
        }
        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.STATIC);
        return d;
    }

    private static void send(Device d, Fakes.Port from, byte[] f) {
        d.fromVnic(from, buffer(f), BufferLayout.HEADROOM, f.length);
    }

    private static void receive(Device d, byte[] f) {
        d.fromUnderlay(buffer(f), BufferLayout.HEADROOM, f.length, UnderlayAddress.parse("10.0.0.9").address(), 4789);
    }

    /** The frame with an 802.1Q tag for {@code vlan} after its MACs, built here. */
    static byte[] tagged(byte[] untagged, int vlan) {
        byte[] t = new byte[untagged.length + 4];
        System.arraycopy(untagged, 0, t, 0, 12);
        t[12] = (byte) 0x81;
        t[14] = (byte) (vlan >>> 8);
        t[15] = (byte) vlan;
        System.arraycopy(untagged, 12, t, 16, untagged.length - 12);
        return t;
    }

    /** The inner frame of what the fake mux sent: after its 4-byte header. */
    private byte[] sentFrame(int i) {
        byte[] p = mux.packets.get(i);
        return Arrays.copyOfRange(p, 4, p.length);
    }

    @Test
    public void aFrameFromAVlanVnicLeavesTheHostTaggedEvenOverAnEncapsulationThatRemovesVmsTags() throws Exception {
        Device d = device(false);
        byte[] f = Frames.ethernet(MAC_REMOTE, MAC_V10, 100);
        send(d, v10, f);
        assertEquals(1, mux.sent);
        assertArrayEquals(tagged(f, 10), sentFrame(0));

        byte[] own = tagged(Frames.ethernet(MAC_REMOTE, MAC_TRUNK, 60), 7);
        send(d, trunk, own);
        assertArrayEquals("a VM's own tag is removed, as before (RFC 7348 6.1)", Frames.ethernet(MAC_REMOTE, MAC_TRUNK, 60), sentFrame(1));
    }

    @Test
    public void aTaggedFrameFromAVmOnAVlanIsDropped() throws Exception {
        Device d = device(true);
        send(d, v10, tagged(Frames.ethernet(MAC_REMOTE, MAC_V10, 60), 20));
        assertEquals(0, mux.sent);
        assertEquals(1, v10.counters.drops(DropReasons.VLAN_MISMATCH));
    }

    @Test
    public void locallyAVlanReachesItsOwnPortsUntaggedTrunksTaggedAndNoOtherVlan() throws Exception {
        Device d = device(true);
        byte[] f = Frames.ethernet(MAC_V10B, MAC_V10, 60);
        send(d, v10, f);
        assertArrayEquals(f, v10b.delivered.get(0));
        send(d, v10, Frames.ethernet(MAC_V20, MAC_V10, 60));
        assertEquals("VLAN 20 cannot be reached from VLAN 10", 0, v20.delivered.size());
        assertEquals(1, v10.counters.drops(DropReasons.VLAN_MISMATCH));
        byte[] toTrunk = Frames.ethernet(MAC_TRUNK, MAC_V10, 60);
        send(d, v10, toTrunk);
        assertArrayEquals("a port without a VLAN sees the tag", tagged(toTrunk, 10), trunk.delivered.get(0));
        byte[] fromTrunk = Frames.ethernet(MAC_V20, MAC_TRUNK, 60);
        send(d, trunk, tagged(fromTrunk, 20));
        assertArrayEquals("a trunk's tagged frame reaches its VLAN's port untagged", fromTrunk, v20.delivered.get(0));
        send(d, trunk, fromTrunk);
        assertEquals("but an untagged one does not", 1, v20.delivered.size());
        assertEquals(0, mux.sent);
    }

    @Test
    public void aBroadcastStaysInItsVlanAndLeavesTagged() throws Exception {
        Device d = device(false);
        d.setFloodTargets(List.of(DEST), false);
        byte[] b = Frames.ethernet(MacAddress.BROADCAST, MAC_V10, 28);
        send(d, v10, b);
        assertArrayEquals(b, v10b.delivered.get(0));
        assertArrayEquals(tagged(b, 10), trunk.delivered.get(0));
        assertEquals(0, v20.delivered.size());
        assertEquals(0, v10.delivered.size());
        assertArrayEquals(tagged(b, 10), sentFrame(0));
    }

    @Test
    public void aPortAttachedOnAVlanIsPartOfThatVlanOnly() throws Exception {
        Device d = device(false);
        d.setFloodTargets(List.of(DEST), false);
        AttachedPortTest.Recorder r = new AttachedPortTest.Recorder();
        r.consume = true;
        org.overlaygate.api.datapath.AttachedPort port = d.attachPort("dhcp.v10", 0x0200_0000_00D1L, true, 10, r);
        assertEquals(10, port.vlan());
        send(d, v20, Frames.ethernet(MacAddress.BROADCAST, MAC_V20, 28));
        assertEquals("VLAN 20's broadcast is not for it", 0, r.group.size());
        long sentBefore = mux.sent;
        send(d, v10, Frames.ethernet(MacAddress.BROADCAST, MAC_V10, 28));
        assertEquals(List.of("local"), r.group);
        assertEquals("answered for itself: not flooded", sentBefore, mux.sent);

        byte[] reply = Frames.ethernet(MAC_V10, 0x0200_0000_00D1L, 60);
        port.send(ByteBuffer.wrap(reply));
        assertArrayEquals("its frame reaches its VLAN's VNIC untagged", reply, v10.delivered.get(v10.delivered.size() - 1));
        byte[] out = Frames.ethernet(MAC_REMOTE, 0x0200_0000_00D1L, 60);
        port.send(ByteBuffer.wrap(out));
        assertArrayEquals("and leaves the host tagged", tagged(out, 10), sentFrame(mux.packets.size() - 1));
        assertThrows(IllegalArgumentException.class, () -> d.attachPort("bad", 0x0200_0000_00D2L, false, 4095, r));
    }

    @Test
    public void fromTheUnderlayAVlansFramesReachOnlyItsPortsUntagged() throws Exception {
        Device d = device(false);
        byte[] f = Frames.ethernet(MAC_V10, MAC_REMOTE, 80);
        receive(d, tagged(f, 10));
        assertArrayEquals(f, v10.delivered.get(0));
        receive(d, tagged(Frames.ethernet(MAC_V20, MAC_REMOTE, 80), 10));
        receive(d, tagged(Frames.ethernet(MAC_TRUNK, MAC_REMOTE, 80), 10)); // VXLAN: a port without a VLAN takes no tags
        receive(d, Frames.ethernet(MAC_V10, MAC_REMOTE, 80)); // untagged, for a port on a VLAN
        assertEquals(0, v20.delivered.size());
        assertEquals(0, trunk.delivered.size());
        assertEquals(1, v10.delivered.size());
        assertEquals(3, d.counters().drops(DropReasons.VLAN_MISMATCH));

        byte[] b = Frames.ethernet(MacAddress.BROADCAST, MAC_REMOTE, 28);
        receive(d, tagged(b, 20));
        assertArrayEquals(b, v20.delivered.get(0));
        assertEquals(1, v20.delivered.size());
        assertEquals("VLAN 10's ports do not see VLAN 20's broadcast", 1, v10.delivered.size());
        receive(d, tagged(b, 30));
        assertEquals("a VLAN no port here has", 4, d.counters().drops(DropReasons.VLAN_MISMATCH));
    }

    @Test
    public void overAnEncapsulationThatCarriesTagsAPortWithoutAVlanTakesTaggedFramesAsTheyAre() throws Exception {
        Device d = device(true);
        byte[] b = tagged(Frames.ethernet(MacAddress.BROADCAST, MAC_REMOTE, 28), 10);
        receive(d, b);
        assertArrayEquals(b, trunk.delivered.get(0));
        assertEquals(1, v10.delivered.size());
        assertEquals(1, v10b.delivered.size());
    }

    @Test
    public void aMissCarriesTheVlanAndTheFramesThatWaitedLeaveTagged() throws Exception {
        Device d = device(false);
        long unknown = 0x0200_0000_0077L;
        byte[] f = Frames.ethernet(unknown, MAC_V10, 60);
        send(d, v10, f);
        MissRequest miss = env.<MissRequest>take(Upcall.Kind.MISS).get(0);
        assertEquals(10, miss.request().vlan());
        assertEquals(0x0800, miss.request().ethertype());
        miss.respond(DEST);
        assertArrayEquals(tagged(f, 10), sentFrame(0));
    }

    @Test
    public void anArpRequestFromAVlanAsksTheProxyWithTheVlansTag() throws Exception {
        Device d = device(false);
        d.setAddressProxy(true);
        byte[] arp = Frames.arpRequest(MAC_V10, "10.1.0.5", "10.1.0.9");
        send(d, v10, arp);
        List<AddressRequest> asked = env.take(Upcall.Kind.ADDRESS_REQUEST);
        ByteBuffer frame = asked.get(0).frame();
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        assertArrayEquals(tagged(arp, 10), bytes);
        byte[] reply = tagged(Frames.arp(0x0200_0000_0055L, Frames.ipv4("10.1.0.9"), Frames.ipv4("10.1.0.5"), Frames.ARP_REPLY), 10);
        MacAddress.write(reply, 0, MAC_V10);
        d.deliverProxyReply(ByteBuffer.wrap(reply));
        byte[] expected = Arrays.copyOf(reply, reply.length);
        assertArrayEquals("delivered untagged", Frames.fromHex(Frames.hex(untag(expected))), v10.delivered.get(0));
    }

    private static byte[] untag(byte[] t) {
        byte[] u = new byte[t.length - 4];
        System.arraycopy(t, 0, u, 0, 12);
        System.arraycopy(t, 16, u, 12, t.length - 16);
        return u;
    }

    /**
     * Issue 21: every frame the overlay takes in from the underlay is delivered or dropped with its
     * reason; a broadcast while no port takes it was counted nowhere.
     */
    @Test
    public void everyFrameFromTheUnderlayIsDeliveredOrCountedAsDropped() throws Exception {
        Device d = new Device(DeviceConfig.builder("ovl0", 42).mode(SearchMode.DYNAMIC).encapsulation("fake", Map.of()).build(), env);
        Fakes.Encap encap = new Fakes.Encap();
        d.bind(new EncapBinding(encap, "1.0.0", encap, mux));
        byte[] b = Frames.ethernet(MacAddress.BROADCAST, MAC_REMOTE, 28);
        receive(d, b); // no port yet
        d.addPort(v10);
        d.addPort(trunk);
        receive(d, b);
        receive(d, tagged(b, 10));
        receive(d, tagged(b, 99));
        receive(d, Frames.ethernet(MAC_TRUNK, MAC_REMOTE, 40));
        receive(d, Frames.ethernet(0x0200_0000_0abcL, MAC_REMOTE, 40));
        receive(d, tagged(Frames.ethernet(MAC_V10, MAC_REMOTE, 40), 11));
        receive(d, new byte[8]);
        long in = d.stats().counters().packetsIn();
        long delivered = v10.delivered.size() + trunk.delivered.size();
        long dropped = d.stats().counters().drops().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(8, in);
        assertEquals("each frame delivered once or dropped once", in, delivered + dropped);
        assertEquals(1, d.counters().drops(DropReasons.NO_LOCAL_PORT));
    }
}
