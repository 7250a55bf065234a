package org.overlaygate.core.device;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.core.device.Fakes.DEST;
import static org.overlaygate.core.device.Fakes.MAC_A;
import static org.overlaygate.core.device.Fakes.MAC_B;
import static org.overlaygate.core.device.Fakes.MAC_REMOTE;
import static org.overlaygate.core.device.Fakes.buffer;
import static org.overlaygate.core.device.Fakes.frame;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.search.SearchMode;

public class DeviceTest {
    private Fakes.Env env;
    private Fakes.Port a;
    private Fakes.Port b;

    @Before
    public void setUp() {
        env = new Fakes.Env();
        a = new Fakes.Port("a", MAC_A);
        b = new Fakes.Port("b", MAC_B);
    }

    private Device device(SearchMode mode, DeviceConfig.Builder config) throws DataPathException {
        Device d = new Device(config.mode(mode).build(), env);
        d.setEncapsulation(new Fakes.Encap(), new Fakes.Encap(), UnderlayAddress.parse("10.0.0.1:4789"));
        d.addPort(a);
        d.addPort(b);
        return d;
    }

    private Device device(SearchMode mode) throws DataPathException {
        return device(mode, DeviceConfig.builder("ovl0", 42));
    }

    private static void send(Device d, Fakes.Port from, byte[] f) {
        d.fromVnic(from, buffer(f), Device.HEADROOM, f.length);
    }

    @Test
    public void switchesUnicastLocallyAndFloodsBroadcastToOtherPortsAndThePointDestination() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        byte[] toB = frame(MAC_B, MAC_A, 50);
        send(d, a, toB);
        assertEquals(1, b.delivered.size());
        assertArrayEquals(toB, b.delivered.get(0));
        assertEquals(0, a.delivered.size());
        assertEquals("local traffic does not touch the underlay", 0, env.socket.sent);

        byte[] bcast = frame(MacAddress.BROADCAST, MAC_A, 28);
        send(d, a, bcast);
        assertEquals("not back to the sender", 0, a.delivered.size());
        assertEquals(2, b.delivered.size());
        assertEquals(List.of(DEST), env.socket.destinations);
        byte[] packet = env.socket.packets.get(0);
        assertEquals('H', packet[0]);
        assertEquals(42, packet[3]);
        assertArrayEquals(bcast, Arrays.copyOfRange(packet, 4, packet.length));
    }

    @Test
    public void pointModeSendsUnknownUnicastToItsDestinationOrDropsWithoutOne() throws Exception {
        Device d = device(SearchMode.POINT);
        send(d, a, frame(MAC_REMOTE, MAC_A, 40));
        assertEquals(1, a.counters.drops(DropReasons.NO_DESTINATION));
        d.setPointDestination(DEST);
        send(d, a, frame(MAC_REMOTE, MAC_A, 40));
        assertEquals(List.of(DEST), env.socket.destinations);
        assertEquals(1, d.stats().counters().packetsOut());
    }

    @Test
    public void refusesRuntsFramesOverTheMtuAndDuplicateMacs() throws Exception {
        Device d = device(SearchMode.POINT, DeviceConfig.builder("ovl0", 42).mtu(1000));
        d.setPointDestination(DEST);
        send(d, a, new byte[10]);
        assertEquals(1, a.counters.drops(DropReasons.RUNT));
        send(d, a, frame(MAC_REMOTE, MAC_A, 1000 + 4 + 1));
        assertEquals(1, a.counters.drops(DropReasons.TOO_BIG));
        send(d, a, frame(MAC_REMOTE, MAC_A, 1000 + 4)); // a VLAN tag's worth of slack
        assertEquals(1, env.socket.sent);
        DataPathException dup = assertThrows(DataPathException.class, () -> d.addPort(new Fakes.Port("c", MAC_A)));
        assertEquals("MAC 02:00:00:00:00:01 is already used on overlay ovl0", dup.getMessage());
    }

    @Test
    public void missQueuesTheFrameAndTheAnswerSendsItThenHitsGoStraightOut() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        byte[] f1 = frame(MAC_REMOTE, MAC_A, 100);
        byte[] f2 = frame(MAC_REMOTE, MAC_A, 101);
        send(d, a, f1);
        send(d, a, f2);
        assertEquals("one miss request per entry, not per frame", 1, env.misses.size());
        MissRequestImpl miss = env.misses.get(0);
        assertEquals(MAC_REMOTE, miss.request().destinationMac());
        assertEquals(MAC_A, miss.request().sourceMac());
        assertEquals(0x0800, miss.request().ethertype());
        assertEquals(42, miss.request().vnetId());
        assertEquals(TargetEntry.State.PENDING, d.targets().get(0).state());
        assertEquals(2, d.stats().pendingFrames());
        assertEquals(0, env.socket.sent);

        miss.respond(DEST);
        assertEquals(2, env.socket.sent);
        assertArrayEquals(f1, Arrays.copyOfRange(env.socket.packets.get(0), 4, 4 + f1.length));
        assertArrayEquals(f2, Arrays.copyOfRange(env.socket.packets.get(1), 4, 4 + f2.length));
        assertEquals(TargetEntry.State.VALID, d.targets().get(0).state());
        assertEquals(0, env.budget.used());

        send(d, a, f1);
        assertEquals(3, env.socket.sent);
        assertEquals(1, d.stats().cacheHits());
        assertEquals(2, d.stats().cacheMisses());
        miss.respond(UnderlayAddress.parse("10.9.9.9:1")); // a late second answer changes nothing
        assertEquals(List.of(DEST), d.targets().get(0).destinations());
    }

    @Test
    public void vlanTaggedMissCarriesTheVlanAndInnerEthertype() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        byte[] f = frame(MAC_REMOTE, MAC_A, 60);
        f[12] = (byte) 0x81;
        f[13] = 0;
        f[14] = 0x00;
        f[15] = 0x2A;
        f[16] = (byte) 0x86;
        f[17] = (byte) 0xDD;
        send(d, a, f);
        assertEquals(42, env.misses.get(0).request().vlan());
        assertEquals(0x86DD, env.misses.get(0).request().ethertype());
    }

    @Test
    public void anInner8021QTagIsRemovedBeforeEncapsulation() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        byte[] untagged = frame(MAC_REMOTE, MAC_A, 60);
        byte[] tagged = new byte[untagged.length + 4];
        System.arraycopy(untagged, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[13] = 0;
        tagged[14] = 0x00;
        tagged[15] = 0x07;
        System.arraycopy(untagged, 12, tagged, 16, untagged.length - 12);
        send(d, a, tagged);
        byte[] packet = env.socket.packets.get(0);
        assertArrayEquals(untagged, Arrays.copyOfRange(packet, 4, packet.length));
        assertEquals('H', packet[0]);
    }

    @Test
    public void dropAnswerDropsQueuedAndLaterFramesUntilItExpires() throws Exception {
        env.dropLifetime = 50_000_000L;
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.misses.get(0).drop("not_found");
        assertEquals(1, d.counters().drops(DropReasons.TARGET_DROP));
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(1, a.counters.drops(DropReasons.TARGET_DROP));
        assertEquals(TargetEntry.State.DROP, d.targets().get(0).state());
        Thread.sleep(60);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals("expired: asked again", 2, env.misses.size());
        assertEquals(TargetEntry.State.PENDING, d.targets().get(0).state());
    }

    @Test
    public void pendingQueuesAreBoundedPerEntryAndInTotal() throws Exception {
        Device d = device(SearchMode.DYNAMIC, DeviceConfig.builder("ovl0", 42).pendingBytesPerEntry(3 * 114));
        for (int i = 0; i < 4; i++) {
            send(d, a, frame(MAC_REMOTE, MAC_A, 100)); // 114 bytes each
        }
        assertEquals(1, a.counters.drops(DropReasons.PENDING_FULL));
        assertEquals(3, d.stats().pendingFrames());

        env.budget = new PendingBudget(3 * 114 + 200);
        Device e = new Device(DeviceConfig.builder("ovl1", 43).build(), env);
        e.setEncapsulation(new Fakes.Encap(), new Fakes.Encap(), UnderlayAddress.parse("10.0.0.1:4789"));
        Fakes.Port c = new Fakes.Port("c", MAC_A);
        e.addPort(c);
        for (int i = 0; i < 5; i++) {
            e.fromVnic(c, buffer(frame(MAC_REMOTE + i, MAC_A, 100)), Device.HEADROOM, 114);
        }
        assertEquals(1, c.counters.drops(DropReasons.PENDING_TOTAL_FULL));
        assertEquals(4 * 114, env.budget.used());
        e.flushTargets();
        assertEquals("flushing gives the budget back", 0, env.budget.used());
        assertEquals(4, e.counters().drops(DropReasons.PENDING_DISCARDED));
    }

    @Test
    public void fullMissQueueDropsAndTheNextFrameTriesAgain() throws Exception {
        env.missCapacity = 0;
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(1, a.counters.drops(DropReasons.MISS_QUEUE_FULL));
        assertTrue("the entry is gone, so nothing waits forever", d.targets().isEmpty());
        env.missCapacity = 10;
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(1, env.misses.size());
    }

    @Test
    public void unansweredMissesAreAskedAgainBySweep() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        d.sweep(System.nanoTime(), Long.MAX_VALUE);
        assertEquals(1, env.misses.size());
        d.sweep(System.nanoTime() + 10_000_000_000L, 1_000_000_000L);
        assertEquals(2, env.misses.size());
        assertEquals("the same lookup", env.misses.get(0).request(), env.misses.get(1).request());
        env.misses.get(0).respond(DEST);
        assertEquals("either request may answer", 1, env.socket.sent);
        env.misses.get(1).respond(UnderlayAddress.parse("10.1.1.1:1"));
        assertEquals(List.of(DEST), d.targets().get(0).destinations());
    }

    @Test
    public void cacheEvictsTheLeastRecentlyUsedBeyondItsBound() throws Exception {
        Device d = device(SearchMode.DYNAMIC, DeviceConfig.builder("ovl0", 42).cacheMax(32));
        for (int i = 0; i < 32; i++) {
            d.setTarget(0x0200_0000_1000L + i, DEST);
            Thread.sleep(1);
        }
        assertEquals(32, d.targets().size());
        d.setTarget(0x0200_0000_2000L, DEST);
        int size = d.targets().size();
        assertTrue("bounded: " + size, size <= 32);
        assertNull("the oldest went first", d.targets().stream().filter(t -> t.mac() == 0x0200_0000_1000L).findAny().orElse(null));
        assertTrue(d.targets().stream().anyMatch(t -> t.mac() == 0x0200_0000_2000L));
    }

    @Test
    public void underlayUnicastIsDeliveredAndUnknownMacsAreCountedAndReportedRateLimited() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        List<String> reports = new java.util.ArrayList<>();
        d.setStaleTargetHandler((vnet, mac, sender) -> reports.add(vnet + " " + MacAddress.format(mac) + " " + sender.getHostAddress()));
        byte[] toA = frame(MAC_A, MAC_REMOTE, 70);
        d.fromUnderlay(buffer(toA), Device.HEADROOM, toA.length, Fakes.sender());
        assertArrayEquals(toA, a.delivered.get(0));
        assertEquals(0, b.delivered.size());

        byte[] stray = frame(0x0200_0000_0777L, MAC_REMOTE, 70);
        d.fromUnderlay(buffer(stray), Device.HEADROOM, stray.length, Fakes.sender());
        d.fromUnderlay(buffer(stray), Device.HEADROOM, stray.length, Fakes.sender());
        assertEquals(2, d.counters().drops(DropReasons.NOT_HERE));
        env.offloaded.forEach(Runnable::run);
        assertEquals(List.of("42 02:00:00:00:07:77 10.0.0.9"), reports);

        byte[] bcast = frame(MacAddress.BROADCAST, MAC_REMOTE, 28);
        d.fromUnderlay(buffer(bcast), Device.HEADROOM, bcast.length, Fakes.sender());
        assertEquals(2, a.delivered.size());
        assertEquals(1, b.delivered.size());
    }

    @Test
    public void setTargetInvalidateAndFlush() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        d.setTarget(MAC_REMOTE, DEST);
        assertEquals("setting a pending target sends what waited", 1, env.socket.sent);
        d.invalidate(MAC_REMOTE);
        assertTrue(d.targets().isEmpty());
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(2, env.misses.size());
        d.flushTargets();
        assertTrue(d.targets().isEmpty());
    }

    @Test
    public void deliverLocallyReachesEveryPortForBroadcast() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.deliverLocally(ByteBuffer.wrap(frame(MacAddress.BROADCAST, MAC_REMOTE, 28)));
        assertEquals(1, a.delivered.size());
        assertEquals(1, b.delivered.size());
    }

    @Test
    public void theHitPathAllocatesNothing() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTarget(MAC_REMOTE, DEST);
        env.socket.record = false;
        byte[] f = frame(MAC_REMOTE, MAC_A, 1000);
        ByteBuffer buf = buffer(f);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) { // warm up: let the JIT compile the path
            d.fromVnic(a, buf, Device.HEADROOM, f.length);
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            d.fromVnic(a, buf, Device.HEADROOM, f.length);
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(300_000, env.socket.sent);
        assertTrue("allocated " + allocated + " bytes over " + n + " frames", (double) allocated / n < 1.0);
    }
}
