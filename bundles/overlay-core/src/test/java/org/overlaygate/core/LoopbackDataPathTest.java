package org.overlaygate.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.DeviceStats;
import org.overlaygate.api.datapath.MemoryPort;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.datapath.VnicConfig;
import org.overlaygate.api.encap.EncapsulationPlugin;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.core.vnic.FramePort;
import org.overlaygate.core.vnic.FramePortFactory;
import org.overlaygate.encap.vxlan.VxlanPlugin;
import org.overlaygate.testsupport.Await;
import org.overlaygate.testsupport.Frames;
import org.overlaygate.testsupport.LoopbackPorts;

/**
 * The data path with the real VXLAN codec and real UDP sockets on loopback: two overlays on two
 * loopback addresses exchange frames between in-memory VNICs; a plain socket stands in for a
 * foreign VTEP to check the bytes on the wire and the malformed-packet counters.
 */
public class LoopbackDataPathTest {
    private static final FramePortFactory NO_OS_PORTS = new FramePortFactory() {
        @Override
        public FramePort openTap(String name, long mac, int mtu) throws IOException {
            throw new IOException("not in this test");
        }

        @Override
        public FramePort openPlainTap(String name, long mac, int mtu) throws IOException {
            throw new IOException("not in this test");
        }

        @Override
        public int interfaceMtu(String name) throws IOException {
            throw new IOException("not in this test");
        }

        @Override
        public FramePort openPcap(String name) throws IOException {
            throw new IOException("not in this test");
        }

        @Override
        public boolean interfaceExists(String name) {
            return false;
        }
    };

    private DataPathService dp;
    private final EncapsulationPlugin vxlan = new VxlanPlugin();
    private final TestSettings settings = new TestSettings();
    private DatagramChannel foreign;

    @Before
    public void setUp() throws IOException {
        settings.sourcePortMin = 40000;
        settings.sourcePortMax = 40999;
        dp = new DataPathService(settings, NO_OS_PORTS);
        dp.addEncapsulation(vxlan, "1.0.0", 0, 1);
        foreign = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @After
    public void tearDown() throws IOException {
        dp.deactivate();
        foreign.close();
    }

    private OverlayDevice overlay(String name, long vnet, String listen, UnderlayAddress dest) throws Exception {
        return overlay(name, vnet, listen, dest, SearchMode.POINT);
    }

    private OverlayDevice overlay(String name, long vnet, String listen, UnderlayAddress dest, SearchMode mode) throws Exception {
        UnderlayAddress l = UnderlayAddress.parse(listen);
        OverlayDevice d = dp.createDevice(DeviceConfig.builder(name, vnet).mode(mode).encapsulation("vxlan",
                Map.of("vxlan/listen_ip", l.address().getHostAddress(), "vxlan/listen_port", Integer.toString(l.port()))).build());
        d.setPointDestination(dest);
        return d;
    }

    private MemoryPort vnic(String name, String overlay, long mac) throws DataPathException {
        dp.createVnic(new VnicConfig(name, overlay, VnicConfig.Kind.MEMORY, null, mac));
        return dp.memoryPort(name).orElseThrow();
    }

    @Test
    public void twoOverlaysOnTwoLoopbackAddressesExchangeUnicastAndBroadcast() throws Exception {
        int pa = LoopbackPorts.freeUdpPort();
        int pb = LoopbackPorts.freeUdpPort();
        overlay("ovla", 4242, "127.0.0.1:" + pa, UnderlayAddress.parse("127.0.0.2:" + pb));
        overlay("ovlb", 4242, "127.0.0.2:" + pb, UnderlayAddress.parse("127.0.0.1:" + pa));
        MemoryPort a = vnic("vnica", "ovla", 0x020000000001L);
        MemoryPort b = vnic("vnicb", "ovlb", 0x020000000002L);

        byte[] toB = Frames.ethernet(0x020000000002L, 0x020000000001L, 1000);
        a.send(ByteBuffer.wrap(toB));
        assertArrayEquals(toB, b.receive(5, TimeUnit.SECONDS));
        byte[] bcast = Frames.ethernet(MacAddress.BROADCAST, 0x020000000002L, 28);
        b.send(ByteBuffer.wrap(bcast));
        assertArrayEquals(bcast, a.receive(5, TimeUnit.SECONDS));
        byte[] elsewhere = Frames.ethernet(0x020000000077L, 0x020000000001L, 60);
        a.send(ByteBuffer.wrap(elsewhere));
        OverlayDevice ovlb = dp.device("ovlb").orElseThrow();
        Await.until("the stray frame", () -> ovlb.stats().counters().drops().containsKey("not_here"));
        assertNull("not for b's MAC: not delivered", b.receive(10, TimeUnit.MILLISECONDS));

        DeviceStats sb = ovlb.stats();
        assertEquals("toB and the stray frame came in from the underlay", 2, sb.counters().packetsIn());
        assertEquals("b's broadcast went out", 1, sb.counters().packetsOut());
        assertEquals(1, (long) sb.counters().drops().get("not_here"));
        assertEquals(1, sb.vnics().get(0).packetsOut());
        assertEquals(1, sb.vnics().get(0).packetsIn());
    }

    @Test
    public void wireBytesAreRfc7348AndTheSourcePortComesFromThePool() throws Exception {
        int pa = LoopbackPorts.freeUdpPort();
        InetSocketAddress far = (InetSocketAddress) foreign.getLocalAddress();
        overlay("ovla", 0x123456, "127.0.0.1:" + pa, UnderlayAddress.of(far.getAddress(), far.getPort()));
        MemoryPort a = vnic("vnica", "ovla", 0x020000000001L);
        byte[] f = Frames.ethernet(0x020000000002L, 0x020000000001L, 100);
        a.send(ByteBuffer.wrap(f));
        ByteBuffer got = ByteBuffer.allocate(2000);
        foreign.configureBlocking(true);
        InetSocketAddress from = (InetSocketAddress) foreign.receive(got);
        got.flip();
        assertEquals(8 + f.length, got.remaining());
        byte[] header = new byte[8];
        got.get(header);
        assertArrayEquals(new byte[] {0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0}, header);
        byte[] inner = new byte[f.length];
        got.get(inner);
        assertArrayEquals(f, inner);
        assertTrue("source port " + from.getPort() + " in 40000-40999", from.getPort() >= 40000 && from.getPort() <= 40999);
        assertEquals("127.0.0.1", from.getAddress().getHostAddress());
    }

    @Test
    public void malformedAndForeignPacketsAreCountedOnTheUnderlay() throws Exception {
        int pb = LoopbackPorts.freeUdpPort();
        overlay("ovlb", 4242, "127.0.0.2:" + pb, UnderlayAddress.parse("127.0.0.1:1"));
        MemoryPort b = vnic("vnicb", "ovlb", 0x020000000002L);
        InetSocketAddress target = new InetSocketAddress("127.0.0.2", pb);
        byte[] inner = Frames.ethernet(0x020000000002L, 0x020000000009L, 50);
        foreign.send(vxlan(0x00, 4242, inner), target); // no I flag
        foreign.send(vxlan(0x08, 999, inner), target); // unknown VNI
        foreign.send(ByteBuffer.wrap(new byte[] {8, 0, 0}), target); // short
        foreign.send(vxlan(0x08 | 0xF0, 4242, inner), target); // reserved bits set: accepted
        assertArrayEquals(inner, b.receive(5, TimeUnit.SECONDS));
        foreign.send(ByteBuffer.allocate(0), target); // a UDP datagram with no payload at all
        Await.until("five packets counted", () -> dp.underlayStats().get(0).packetsIn() == 5 && dp.underlayStats().get(0).totalDrops() == 4);
        DeviceStats.Counters u = dp.underlayStats().get(0);
        assertEquals(Map.of("vxlan_no_i_flag", 1L, "unknown_vnet", 1L, "vxlan_short", 1L, "empty", 1L), u.drops());
        assertTrue(u.name(), u.name().startsWith("vxlan udp 127.0.0.2:"));
    }

    private static ByteBuffer vxlan(int flags, int vni, byte[] inner) {
        ByteBuffer b = ByteBuffer.allocate(8 + inner.length);
        b.put((byte) flags).put(new byte[3]).putInt(vni << 8).put(inner);
        return b.flip();
    }

    @Test
    public void duplicateVnetOnOneSocketIsRefusedAndSocketsAreShared() throws Exception {
        int pa = LoopbackPorts.freeUdpPort();
        overlay("ovla", 7, "127.0.0.1:" + pa, UnderlayAddress.parse("127.0.0.2:1"));
        DataPathException dup = assertThrows(DataPathException.class, () -> overlay("ovlc", 7, "127.0.0.1:" + pa, UnderlayAddress.parse("127.0.0.2:1")));
        assertTrue(dup.getMessage(), dup.getMessage().startsWith("encapsulation vxlan refused the overlay: vnet id 7 is already used on underlay vxlan udp 127.0.0.1:"));
        overlay("ovld", 8, "127.0.0.1:" + pa, UnderlayAddress.parse("127.0.0.2:1"));
        assertEquals("one socket for both overlays", 1, dp.underlayStats().size());
        dp.destroyDevice("ovla");
        assertEquals(1, dp.underlayStats().size());
        dp.destroyDevice("ovld");
        assertEquals("the last user closed it", 0, dp.underlayStats().size());
    }

    @Test
    public void vnicsAreValidatedAndAnOverlayWithVnicsCannotBeDestroyed() throws Exception {
        overlay("ovla", 1, "127.0.0.1:" + LoopbackPorts.freeUdpPort(), UnderlayAddress.parse("127.0.0.2:1"));
        vnic("vnica", "ovla", 0x020000000001L);
        assertEquals("the name vnica is already in use",
                assertThrows(DataPathException.class, () -> vnic("vnica", "ovla", 0x020000000003L)).getMessage());
        assertEquals("MAC 01:00:5e:00:00:01 is not a unicast address",
                assertThrows(DataPathException.class, () -> vnic("vnicm", "ovla", 0x01005e000001L)).getMessage());
        assertEquals("no overlay nope", assertThrows(DataPathException.class, () -> vnic("vnicx", "nope", -1)).getMessage());
        assertEquals("overlay ovla still has ports: vnica", assertThrows(DataPathException.class, () -> dp.destroyDevice("ovla")).getMessage());
        assertTrue(Arrays.asList("not in this test").contains(
                assertThrows(DataPathException.class, () -> dp.createVnic(new VnicConfig("t", "ovla", VnicConfig.Kind.TAP, "x", -1))).getMessage()));
        long generated = dp.createVnic(new VnicConfig("vnicg", "ovla", VnicConfig.Kind.MEMORY, null, -1)).mac();
        assertEquals("02:08:20", MacAddress.format(generated).substring(0, 8));
        dp.deleteVnic("vnica");
        dp.deleteVnic("vnicg");
        dp.destroyDevice("ovla");
        assertEquals(List.of(), dp.devices());
    }

    @Test
    public void aDeviceWhosePluginIsAbsentWaitsForItAndForwardsOnceItComes() throws Exception {
        dp.removeEncapsulation(vxlan);
        int pa = LoopbackPorts.freeUdpPort();
        int pb = LoopbackPorts.freeUdpPort();
        OverlayDevice ovla = overlay("ovla", 4242, "127.0.0.1:" + pa, UnderlayAddress.parse("127.0.0.2:" + pb));
        overlay("ovlb", 4242, "127.0.0.2:" + pb, UnderlayAddress.parse("127.0.0.1:" + pa));
        assertEquals(List.of("encapsulation vxlan absent: not bound yet"), ovla.faults());
        MemoryPort a = vnic("vnica", "ovla", 0x020000000001L);
        MemoryPort b = vnic("vnicb", "ovlb", 0x020000000002L);
        byte[] toB = Frames.ethernet(0x020000000002L, 0x020000000001L, 100);
        a.send(ByteBuffer.wrap(toB));
        assertEquals(Map.of("no_encapsulation", 1L), ovla.stats().vnics().get(0).drops());

        dp.addEncapsulation(vxlan, "1.0.0", 0, 2);
        assertEquals(List.of(), ovla.faults());
        assertEquals("1.0.0", ovla.encapsulationVersion());
        a.send(ByteBuffer.wrap(toB));
        assertArrayEquals(toB, b.receive(5, TimeUnit.SECONDS));

        EncapsulationPlugin newer = new VxlanPlugin();
        dp.addEncapsulation(newer, "1.1.0", 0, 3); // a newer build registers before the old one goes
        assertEquals("1.1.0", ovla.encapsulationVersion());
        dp.removeEncapsulation(vxlan);
        assertEquals(List.of(), ovla.faults());
        dp.removeEncapsulation(newer); // and now it is gone for good
        assertEquals(List.of("encapsulation vxlan absent: forwarding with version 1.1.0"), ovla.faults());
        a.send(ByteBuffer.wrap(toB));
        assertArrayEquals("still forwarding", toB, b.receive(5, TimeUnit.SECONDS));
    }

    @Test
    public void anOverlayAcceptingPeersOnlyRefusesSpoofedFramesFromAHostThatGuessedItsVnetId() throws Exception {
        int pb = LoopbackPorts.freeUdpPort();
        OverlayDevice ovlb = dp.createDevice(DeviceConfig.builder("ovlb", 4242).mode(SearchMode.POINT).acceptPeersOnly(true)
                .encapsulation("vxlan", Map.of("vxlan/listen_ip", "127.0.0.2", "vxlan/listen_port", Integer.toString(pb))).build());
        ovlb.setPointDestination(UnderlayAddress.parse("127.0.0.1:" + LoopbackPorts.freeUdpPort())); // the peer: not the foreign socket
        MemoryPort b = vnic("vnicb", "ovlb", 0x020000000002L);
        byte[] inner = Frames.ethernet(0x020000000002L, 0x020000000009L, 50);
        try (DatagramChannel stranger = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.3", 0))) {
            for (int i = 0; i < 20; i++) {
                stranger.send(vxlan(0x08, 4242, inner), new InetSocketAddress("127.0.0.2", pb));
            }
        }
        Await.until("20 refusals", () -> ovlb.stats().counters().drops().getOrDefault("not_a_peer", 0L) == 20);
        assertNull("not one reached the VNIC", b.receive(10, TimeUnit.MILLISECONDS));
        foreign.send(vxlan(0x08, 4242, inner), new InetSocketAddress("127.0.0.2", pb)); // from the peer's address
        assertArrayEquals(inner, b.receive(5, TimeUnit.SECONDS));
    }

    @Test
    public void propertiesThePluginRefusesLeaveNoDeviceBehind() throws Exception {
        DataPathException e = assertThrows(DataPathException.class, () -> dp.createDevice(DeviceConfig.builder("ovla", 7)
                .encapsulation("vxlan", Map.of("vxlan/listen_ip", "127.0.0.1", "vxlan/bogus", "1")).build()));
        assertTrue(e.getMessage(), e.getMessage().startsWith("encapsulation vxlan refused the overlay: unknown property: vxlan/bogus"));
        assertEquals(List.of(), dp.devices());
        assertEquals(0, dp.underlayStats().size());
    }

    @Test
    public void missesOfADynamicDeviceWaitInTheUpcallQueueUntilTaken() throws Exception {
        overlay("ovla", 5, "127.0.0.1:" + LoopbackPorts.freeUdpPort(), null, SearchMode.DYNAMIC);
        MemoryPort a = vnic("vnica", "ovla", 0x020000000001L);
        a.send(ByteBuffer.wrap(Frames.ethernet(0x020000000002L, 0x020000000001L, 60)));
        assertEquals(1, dp.queuedUpcalls());
        Upcall u = dp.takeUpcall(1, TimeUnit.SECONDS);
        assertEquals(Upcall.Kind.MISS, u.kind());
        assertEquals("ovla", u.deviceName());
        assertEquals(0x020000000002L, ((MissRequest) u).request().destinationMac());
        assertEquals(0, dp.queuedUpcalls());
        assertNull(dp.takeUpcall(10, TimeUnit.MILLISECONDS));
    }
}
