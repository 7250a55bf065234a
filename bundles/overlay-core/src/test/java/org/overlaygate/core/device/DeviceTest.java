package org.overlaygate.core.device;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.core.device.Fakes.DEST;
import static org.overlaygate.core.device.Fakes.MAC_A;
import static org.overlaygate.core.device.Fakes.MAC_B;
import static org.overlaygate.core.device.Fakes.MAC_REMOTE;
import static org.overlaygate.core.device.Fakes.buffer;
import static org.overlaygate.core.device.Fakes.frame;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.AddressRequest;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.LearnedSource;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.NotHere;
import org.overlaygate.api.datapath.OverlayDevice;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.encap.Encapsulator;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.core.base.DropReasons;
import org.overlaygate.core.underlay.SendBatch;
import org.overlaygate.testsupport.Frames;

public class DeviceTest {
    private static final UnderlayAddress GROUP = UnderlayAddress.parse("239.1.1.1:4789");
    private static final UnderlayAddress PEER_2 = UnderlayAddress.parse("10.0.0.3:4789");

    private Fakes.Env env;
    private Fakes.Mux mux;
    private Fakes.Port a;
    private Fakes.Port b;

    @Before
    public void setUp() {
        env = new Fakes.Env();
        mux = new Fakes.Mux();
        a = new Fakes.Port("a", MAC_A);
        b = new Fakes.Port("b", MAC_B);
    }

    private Device device(SearchMode mode, DeviceConfig.Builder config) throws DataPathException {
        Device d = new Device(config.mode(mode).encapsulation("fake", Map.of()).build(), env);
        Fakes.Encap encap = new Fakes.Encap();
        d.bind(new EncapBinding(encap, "1.0.0", encap, mux));
        d.addPort(a);
        d.addPort(b);
        return d;
    }

    private Device device(SearchMode mode) throws DataPathException {
        return device(mode, DeviceConfig.builder("ovl0", 42));
    }

    private static void send(Device d, Fakes.Port from, byte[] f) {
        d.fromVnic(from, buffer(f), BufferLayout.HEADROOM, f.length);
    }

    private static void receive(Device d, byte[] f, String sender, int port) {
        d.fromUnderlay(buffer(f), BufferLayout.HEADROOM, f.length, UnderlayAddress.parse(sender).address(), port);
    }

    // ---------------------------------------------------------------- switching and point mode

    @Test
    public void switchesUnicastLocallyAndFloodsBroadcastToOtherPortsAndThePointDestination() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        byte[] toB = frame(MAC_B, MAC_A, 50);
        send(d, a, toB);
        assertEquals(1, b.delivered.size());
        assertArrayEquals(toB, b.delivered.get(0));
        assertEquals(0, a.delivered.size());
        assertEquals("local traffic does not touch the underlay", 0, mux.sent);

        byte[] bcast = frame(MacAddress.BROADCAST, MAC_A, 28);
        send(d, a, bcast);
        assertEquals("not back to the sender", 0, a.delivered.size());
        assertEquals(2, b.delivered.size());
        assertEquals(List.of(DEST), mux.destinations);
        byte[] packet = mux.packets.get(0);
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
        assertEquals(List.of(DEST), mux.destinations);
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
        assertEquals(1, mux.sent);
        DataPathException dup = assertThrows(DataPathException.class, () -> d.addPort(new Fakes.Port("c", MAC_A)));
        assertEquals("MAC 02:00:00:00:00:01 is already used on overlay ovl0", dup.getMessage());
    }

    @Test
    public void anInner8021QTagIsRemovedBeforeEncapsulation() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        byte[] untagged = frame(MAC_REMOTE, MAC_A, 60);
        byte[] tagged = new byte[untagged.length + 4];
        System.arraycopy(untagged, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[15] = 0x07;
        System.arraycopy(untagged, 12, tagged, 16, untagged.length - 12);
        send(d, a, tagged);
        byte[] packet = mux.packets.get(0);
        assertArrayEquals(untagged, Arrays.copyOfRange(packet, 4, packet.length));
        assertEquals('H', packet[0]);
    }

    // ---------------------------------------------------------------- sending failures

    @Test
    public void aRefusedSendIsADropByItsReasonNotAPacketOut() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        mux.refuse = DropReasons.SEND_QUEUE_FULL;
        send(d, a, frame(MAC_REMOTE, MAC_A, 40));
        assertEquals(1, a.counters.drops(DropReasons.SEND_QUEUE_FULL));
        assertEquals(0, d.stats().counters().packetsOut());
    }

    @Test
    public void anEncapsulatorThatThrowsCostsTheFrameAndIsCounted() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        Fakes.Encap plugin = new Fakes.Encap();
        Encapsulator broken = new Encapsulator() {
            @Override
            public int headerLength() {
                return 4;
            }

            @Override
            public void encapsulate(ByteBuffer buf, int index, long vnetId, int flowHash) {
                throw new NoClassDefFoundError("org/example/Gone"); // a half-removed bundle
            }
        };
        d.bind(new EncapBinding(plugin, "2.0.0", broken, mux));
        send(d, a, frame(MAC_REMOTE, MAC_A, 40));
        assertEquals(1, a.counters.drops(DropReasons.ENCAP_ERROR));
        assertEquals(0, mux.sent);
    }

    // ---------------------------------------------------------------- misses

    @Test
    public void missQueuesTheFrameAndTheAnswerSendsItThenHitsGoStraightOut() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        byte[] f1 = frame(MAC_REMOTE, MAC_A, 100);
        byte[] f2 = frame(MAC_REMOTE, MAC_A, 101);
        send(d, a, f1);
        send(d, a, f2);
        List<MissRequest> misses = env.take(Upcall.Kind.MISS);
        assertEquals("one miss request per entry, not per frame", 1, misses.size());
        MissRequest miss = misses.get(0);
        assertEquals(MAC_REMOTE, miss.request().destinationMac());
        assertEquals(MAC_A, miss.request().sourceMac());
        assertEquals(0x0800, miss.request().ethertype());
        assertEquals(42, miss.request().vnetId());
        assertEquals("ovl0", miss.deviceName());
        assertFalse(miss.isRefresh());
        assertEquals(TargetEntry.State.PENDING, d.targets().get(0).state());
        assertEquals(2, d.stats().pendingFrames());
        assertEquals(0, mux.sent);

        miss.respond(DEST);
        assertEquals(2, mux.sent);
        assertArrayEquals(f1, Arrays.copyOfRange(mux.packets.get(0), 4, 4 + f1.length));
        assertArrayEquals(f2, Arrays.copyOfRange(mux.packets.get(1), 4, 4 + f2.length));
        TargetEntry entry = d.targets().get(0);
        assertEquals(TargetEntry.State.VALID, entry.state());
        assertEquals(TargetEntry.Origin.LOOKUP, entry.origin());
        assertEquals(0, env.budget.used());

        send(d, a, f1);
        assertEquals(3, mux.sent);
        assertEquals(1, d.stats().cacheHits());
        assertEquals(2, d.stats().cacheMisses());
        miss.respond(UnderlayAddress.parse("10.9.9.9:1")); // a late second answer changes nothing
        assertEquals(List.of(DEST), d.targets().get(0).destinations());
    }

    @Test
    public void vlanTaggedMissCarriesTheVlanAndInnerEthertype() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        Fakes.Encap carrying = new Fakes.Encap();
        carrying.carriesTags = true; // as Geneve: a VM's own tag crosses, so the lookup names its VLAN
        d.bind(new EncapBinding(carrying, "1.0.0", carrying, mux));
        byte[] f = frame(MAC_REMOTE, MAC_A, 60);
        f[12] = (byte) 0x81;
        f[13] = 0;
        f[14] = 0x00;
        f[15] = 0x2A;
        f[16] = (byte) 0x86;
        f[17] = (byte) 0xDD;
        send(d, a, f);
        MissRequest miss = env.<MissRequest>take(Upcall.Kind.MISS).get(0);
        assertEquals(42, miss.request().vlan());
        assertEquals(0x86DD, miss.request().ethertype());
    }

    @Test
    public void dropAnswerDropsQueuedAndLaterFramesByThePluginsReasonUntilItExpires() throws Exception {
        env.dropLifetime = 50_000_000L;
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.<MissRequest>take(Upcall.Kind.MISS).get(0).drop("not_found");
        assertEquals("the queued frame, by the plugin's reason", 1, d.counters().drops("not_found"));
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(1, a.counters.drops("not_found"));
        assertEquals(TargetEntry.State.DROP, d.targets().get(0).state());
        assertEquals(1, d.stats().event(TargetResolver.LOOKUP_DROPPED));
        env.advanceMillis(60);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals("expired: asked again", 1, env.count(Upcall.Kind.MISS));
        assertEquals(TargetEntry.State.PENDING, d.targets().get(0).state());
    }

    @Test
    public void aPluginsDropReasonThatIsNotASnakeCaseWordIsCountedAsOther() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.<MissRequest>take(Upcall.Kind.MISS).get(0).drop("Server said: no!\n");
        assertEquals(1, d.counters().drops(DropReasons.OTHER));
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
        Device e = new Device(DeviceConfig.builder("ovl1", 43).encapsulation("fake", Map.of()).build(), env);
        Fakes.Encap encap = new Fakes.Encap();
        e.bind(new EncapBinding(encap, "1.0.0", encap, mux));
        Fakes.Port c = new Fakes.Port("c", MAC_A);
        e.addPort(c);
        for (int i = 0; i < 5; i++) {
            e.fromVnic(c, buffer(frame(MAC_REMOTE + i, MAC_A, 100)), BufferLayout.HEADROOM, 114);
        }
        assertEquals(1, c.counters.drops(DropReasons.PENDING_TOTAL_FULL));
        assertEquals(4 * 114, env.budget.used());
        e.flushTargets();
        assertEquals("flushing gives the budget back", 0, env.budget.used());
        assertEquals(4, e.counters().drops(DropReasons.PENDING_DISCARDED));
    }

    @Test
    public void aFullUpcallQueueDropsTheMissAndTheNextFrameTriesAgain() throws Exception {
        env.upcallCapacity = 0;
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(1, a.counters.drops(DropReasons.MISS_QUEUE_FULL));
        assertEquals("counted once, not also as discarded", 0, d.counters().drops(DropReasons.PENDING_DISCARDED));
        assertEquals(1, d.stats().event(UpcallChannel.DROPPED_MISS));
        assertTrue("the entry is gone, so nothing waits forever", d.targets().isEmpty());
        env.upcallCapacity = 10;
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(1, env.count(Upcall.Kind.MISS));
    }

    @Test
    public void oneDeviceCannotHoldMoreThanItsShareOfTheUpcallQueue() throws Exception {
        env.share = 3;
        Device d = device(SearchMode.DYNAMIC);
        for (int i = 0; i < 5; i++) {
            send(d, a, frame(MAC_REMOTE + i, MAC_A, 60));
        }
        assertEquals(3, env.count(Upcall.Kind.MISS));
        assertEquals(2, a.counters.drops(DropReasons.MISS_QUEUE_FULL));
        env.take(Upcall.Kind.MISS);
        send(d, a, frame(MAC_REMOTE + 10, MAC_A, 60));
        assertEquals("taking frees the share", 1, env.count(Upcall.Kind.MISS));
    }

    @Test
    public void aMissStillQueuedWaitsForVarpdButOneTakenAndUnansweredIsAskedAgain() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.advanceMillis(10_000);
        d.sweep(env.now);
        assertEquals("no duplicate while the first is still queued (varpd away)", 1, env.count(Upcall.Kind.MISS));
        List<MissRequest> first = env.take(Upcall.Kind.MISS); // varpd took it, and its plugin never answered
        d.sweep(env.now);
        assertEquals("not before the retry interval", 0, env.count(Upcall.Kind.MISS));
        env.advanceMillis(2_000);
        d.sweep(env.now);
        List<MissRequest> second = env.take(Upcall.Kind.MISS);
        assertEquals(1, second.size());
        assertEquals("the same lookup", first.get(0).request(), second.get(0).request());
        first.get(0).respond(DEST);
        assertEquals("either request may answer", 1, mux.sent);
        second.get(0).respond(UnderlayAddress.parse("10.1.1.1:1"));
        assertEquals(List.of(DEST), d.targets().get(0).destinations());
    }

    /**
     * Issue 17: a retry that did not fit the queue (a sweep re-offering every unanswered entry
     * after a search plugin was replaced, say) was marked issued anyway and never made again: the
     * entry stayed PENDING for ever.
     */
    @Test
    public void aRetryThatDoesNotFitTheQueueIsMadeAgainOnceThereIsRoom() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.take(Upcall.Kind.MISS); // taken, never answered: the plugin went away
        env.advanceMillis(2_000);
        env.upcallCapacity = 0; // the queue is full when the sweep asks again
        d.sweep(env.now);
        assertEquals(0, env.count(Upcall.Kind.MISS));
        assertEquals(1, d.stats().event(UpcallChannel.DROPPED_MISS));
        env.upcallCapacity = 10;
        d.sweep(env.now);
        List<MissRequest> again = env.take(Upcall.Kind.MISS);
        assertEquals("asked again by the next sweep", 1, again.size());
        again.get(0).respond(DEST);
        assertEquals("and the frame that waited goes out", 1, mux.sent);
        assertEquals(TargetEntry.State.VALID, d.targets().get(0).state());
    }

    @Test
    public void aFrameToAnEntryWhoseRequestWasRefusedAsksAgainAtOnce() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.take(Upcall.Kind.MISS);
        env.advanceMillis(2_000);
        env.upcallCapacity = 0;
        d.sweep(env.now);
        env.upcallCapacity = 10;
        send(d, a, frame(MAC_REMOTE, MAC_A, 61));
        assertEquals("the frame asked, without waiting for a sweep", 1, env.count(Upcall.Kind.MISS));
        assertEquals("both frames wait", 2, d.stats().pendingFrames());
        d.sweep(env.now);
        assertEquals("a request in the queue is not duplicated", 1, env.count(Upcall.Kind.MISS));
    }

    /** Issue 17: the same for the refresh of an entry in use: a refused one left a stale destination for ever. */
    @Test
    public void aRefreshThatDoesNotFitTheQueueIsMadeAgainByTheNextSweep() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTargetPolicy(TargetPolicy.lookup(Duration.ofSeconds(60)));
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.<MissRequest>take(Upcall.Kind.MISS).get(0).respond(DEST);
        env.advanceMillis(61_000);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60)); // in use
        env.upcallCapacity = 0;
        d.sweep(env.now);
        assertEquals(0, env.count(Upcall.Kind.MISS));
        env.upcallCapacity = 10;
        env.advanceMillis(500);
        d.sweep(env.now);
        List<MissRequest> refresh = env.take(Upcall.Kind.MISS);
        assertEquals(1, refresh.size());
        assertTrue(refresh.get(0).isRefresh());
        refresh.get(0).respond(PEER_2);
        assertEquals(List.of(PEER_2), d.targets().get(0).destinations());
        assertEquals(1, d.stats().event(TargetResolver.MOVED));
    }

    @Test
    public void aRequestTakenLateAfterBeingSupersededChangesNothing() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        List<Upcalls.Base> first = new java.util.ArrayList<>(env.upcalls);
        env.upcalls.clear();
        first.get(0).markTaken();
        env.advanceMillis(2_000);
        d.sweep(env.now); // overdue: asked again, and this one waits in the queue
        assertEquals(1, env.count(Upcall.Kind.MISS));
        first.get(0).markTaken(); // a stray second take of the old request
        env.advanceMillis(2_000);
        d.sweep(env.now);
        assertEquals("the queued request is still the one that counts: no duplicate", 1, env.count(Upcall.Kind.MISS));
    }

    @Test
    public void theSweeperEvictsTheLeastRecentlyUsedBeyondTheBoundNeverTheOperatorsEntries() throws Exception {
        Device d = device(SearchMode.DYNAMIC, DeviceConfig.builder("ovl0", 42).cacheMax(32));
        d.setTarget(0x0200_0000_0fffL, DEST, TargetEntry.Origin.STATIC); // the oldest of all
        env.advanceMillis(1);
        for (int i = 0; i < 32; i++) {
            d.setTarget(0x0200_0000_1000L + i, DEST, TargetEntry.Origin.LOOKUP);
            env.advanceMillis(1);
        }
        assertEquals("no eviction outside the sweeper", 33, d.targets().size());
        d.sweep(env.now);
        int size = d.targets().size();
        assertTrue("bounded: " + size, size <= 32);
        assertTrue("the operator's entry stays", d.targets().stream().anyMatch(t -> t.mac() == 0x0200_0000_0fffL));
        assertNull("the least recently used went first", d.targets().stream().filter(t -> t.mac() == 0x0200_0000_1000L).findAny().orElse(null));
        assertTrue(d.targets().stream().anyMatch(t -> t.mac() == 0x0200_0000_1000L + 31));
        assertTrue(d.stats().event(TargetResolver.EVICTED) >= 1);
    }

    /** Issue 17: a miss over the bound sorted the whole cache on the reader thread; now it never scans. */
    @Test
    public void aMissBeyondTheHardBoundIsDroppedUntilTheSweeperHasMadeRoom() throws Exception {
        Device d = device(SearchMode.DYNAMIC, DeviceConfig.builder("ovl0", 42).cacheMax(4));
        for (int i = 0; i < 100; i++) {
            send(d, a, frame(MAC_REMOTE + i, MAC_A, 60));
        }
        assertEquals("the bound plus the room for a sweep interval", 4 + 64, d.targets().size());
        assertEquals(100 - 68, a.counters.drops(DropReasons.CACHE_FULL));
        assertEquals(0, d.stats().event(TargetResolver.EVICTED));
        d.sweep(env.now);
        assertTrue(d.targets().size() <= 4);
        send(d, a, frame(MAC_REMOTE + 200, MAC_A, 60));
        assertTrue(d.targets().stream().anyMatch(t -> t.mac() == MAC_REMOTE + 200));
    }

    @Test
    public void setTargetInvalidateAndFlush() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.take(Upcall.Kind.MISS);
        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.STATIC);
        assertEquals("setting a pending target sends what waited", 1, mux.sent);
        assertEquals(TargetEntry.Origin.STATIC, d.targets().get(0).origin());
        assertTrue(d.invalidate(MAC_REMOTE));
        assertFalse("nothing left to invalidate", d.invalidate(MAC_REMOTE));
        assertTrue(d.targets().isEmpty());
        assertEquals(1, d.stats().event(TargetResolver.INVALIDATED));
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(1, env.count(Upcall.Kind.MISS));
        d.flushTargets();
        assertTrue(d.targets().isEmpty());
    }

    @Test
    public void aRemoteInvalidationIsBelievedOnlyFromTheCachedHostOrAPeerAndNeverRemovesOperatorOrPendingEntries() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        InetAddress forger = InetAddress.getByName("10.9.9.9");
        InetAddress cachedHost = DEST.address();
        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.LOOKUP);
        assertEquals(OverlayDevice.RemoteInvalidation.UNKNOWN_SENDER, d.invalidateFrom(MAC_REMOTE, forger));
        assertEquals(OverlayDevice.RemoteInvalidation.UNKNOWN_SENDER, d.invalidateFrom(MAC_REMOTE, null));
        assertEquals("the forgery changed nothing", 1, d.targets().size());
        assertEquals(OverlayDevice.RemoteInvalidation.APPLIED, d.invalidateFrom(MAC_REMOTE, cachedHost));
        assertTrue(d.targets().isEmpty());
        assertEquals(1, d.stats().event(TargetResolver.INVALIDATED));
        assertEquals(OverlayDevice.RemoteInvalidation.NOT_CACHED, d.invalidateFrom(MAC_REMOTE, cachedHost));

        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.STATIC);
        assertEquals("not even from the host it points at", OverlayDevice.RemoteInvalidation.OPERATOR_ENTRY,
                d.invalidateFrom(MAC_REMOTE, cachedHost));
        assertEquals(OverlayDevice.RemoteInvalidation.UNKNOWN_SENDER, d.invalidateFrom(MAC_REMOTE, forger));
        assertEquals(TargetEntry.Origin.STATIC, d.targets().get(0).origin());
        d.setFloodTargets(List.of(PEER_2), false); // a configured peer
        assertEquals(OverlayDevice.RemoteInvalidation.OPERATOR_ENTRY, d.invalidateFrom(MAC_REMOTE, PEER_2.address()));

        long waiting = MAC_REMOTE + 1;
        send(d, a, frame(waiting, MAC_A, 60)); // a miss: the frame waits on a PENDING entry
        assertEquals(OverlayDevice.RemoteInvalidation.PENDING, d.invalidateFrom(waiting, PEER_2.address()));
        assertEquals(OverlayDevice.RemoteInvalidation.UNKNOWN_SENDER, d.invalidateFrom(waiting, forger));
        d.setTarget(waiting, DEST, TargetEntry.Origin.LOOKUP);
        assertEquals("the frame that waited was sent, not discarded", 1, mux.sent);
        assertEquals(0, a.counters.drops(DropReasons.PENDING_DISCARDED));
        assertEquals("a configured peer is believed for any MAC", OverlayDevice.RemoteInvalidation.APPLIED,
                d.invalidateFrom(waiting, PEER_2.address()));
    }

    // ---------------------------------------------------------------- flooding

    @Test
    public void broadcastGoesToTheFloodTargetsEveryTimeAndNeverThroughTheCache() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setFloodTargets(List.of(GROUP), false);
        byte[] bcast = frame(MacAddress.BROADCAST, MAC_A, 28);
        send(d, a, bcast);
        send(d, a, bcast);
        assertEquals(List.of(GROUP, GROUP), mux.destinations);
        assertEquals(2, b.delivered.size());
        assertTrue("no cache entry for a group address", d.targets().isEmpty());
        assertEquals(0, env.count(Upcall.Kind.MISS));

        d.setFloodTargets(List.of(), false);
        send(d, a, bcast);
        assertEquals("still delivered locally", 3, b.delivered.size());
        assertEquals("counted: nowhere to flood", 1, a.counters.drops(DropReasons.NO_FLOOD_TARGET));
        assertEquals(List.of(), d.floodTargets());
    }

    @Test
    public void unknownUnicastIsFloodedToEveryPeerWhenThePluginFloodsAndLearns() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTargetPolicy(TargetPolicy.learning(Duration.ofSeconds(300), 100));
        d.setFloodTargets(List.of(DEST, PEER_2), true);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(List.of(DEST, PEER_2), mux.destinations);
        assertEquals("flood-and-learn looks nothing up", 0, env.count(Upcall.Kind.MISS));
        assertEquals(1, d.stats().event(TransmitPath.FLOODED_UNKNOWN));
        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.LEARNED);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals("once learned, unicast", List.of(DEST, PEER_2, DEST), mux.destinations);
    }

    // ---------------------------------------------------------------- learning and ageing

    @Test
    public void unknownSourcesAreReportedOnceAndConfirmedOnceLearned() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTargetPolicy(TargetPolicy.learning(Duration.ofSeconds(300), 100));
        byte[] f = frame(MAC_A, MAC_REMOTE, 60);
        receive(d, f, "10.0.0.9", 51234);
        receive(d, f, "10.0.0.9", 51234);
        List<LearnedSource> learned = env.take(Upcall.Kind.LEARNED);
        assertEquals("reported once within 100 ms", 1, learned.size());
        assertEquals(MAC_REMOTE, learned.get(0).mac());
        assertEquals("10.0.0.9", learned.get(0).address().getHostAddress());
        assertEquals(51234, learned.get(0).port());
        assertEquals("the frame itself is delivered", 2, a.delivered.size());

        d.setTarget(MAC_REMOTE, UnderlayAddress.parse("10.0.0.9:4789"), TargetEntry.Origin.LEARNED);
        assertEquals(1, d.stats().event(TargetResolver.LEARNED));
        env.advanceMillis(200_000);
        receive(d, f, "10.0.0.9", 60000); // another flow from the same host: a confirmation, no report
        assertEquals(0, env.count(Upcall.Kind.LEARNED));
        env.advanceMillis(200_000);
        d.sweep(env.now);
        assertEquals("confirmed 200 s ago, within its 300 s", 1, d.targets().size());

        receive(d, f, "10.0.0.7", 51234); // the MAC moved
        List<LearnedSource> moved = env.take(Upcall.Kind.LEARNED);
        assertEquals("10.0.0.7", moved.get(0).address().getHostAddress());
        d.setTarget(MAC_REMOTE, UnderlayAddress.parse("10.0.0.7:4789"), TargetEntry.Origin.LEARNED);
        assertEquals(1, d.stats().event(TargetResolver.MOVED));
        assertEquals(List.of(UnderlayAddress.parse("10.0.0.7:4789")), d.targets().get(0).destinations());
    }

    @Test
    public void learnedEntriesAgeOutWithoutTrafficFromThem() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTargetPolicy(TargetPolicy.learning(Duration.ofSeconds(300), 100));
        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.LEARNED);
        env.advanceMillis(100_000);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60)); // sending to it does not confirm it: only hearing from it does
        assertEquals(100_000, d.targets().get(0).ageMillis());
        env.advanceMillis(200_001);
        d.sweep(env.now);
        assertTrue(d.targets().isEmpty());
        assertEquals(1, d.stats().event(TargetResolver.AGED_OUT));
    }

    @Test
    public void learningIsBoundedAndNeverOverridesTheOperator() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTargetPolicy(TargetPolicy.learning(Duration.ofSeconds(300), 2));
        d.setTarget(MAC_REMOTE + 1, DEST, TargetEntry.Origin.LEARNED);
        d.setTarget(MAC_REMOTE + 2, DEST, TargetEntry.Origin.LEARNED);
        d.setTarget(MAC_REMOTE + 3, DEST, TargetEntry.Origin.LEARNED);
        assertEquals(2, d.targets().size());
        assertEquals(1, d.stats().event(TargetResolver.LEARN_LIMITED));
        receive(d, frame(MAC_A, MAC_REMOTE + 4, 60), "10.0.0.9", 1);
        assertEquals("beyond the bound nothing is reported", 0, env.count(Upcall.Kind.LEARNED));

        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.STATIC);
        d.setTarget(MAC_REMOTE, PEER_2, TargetEntry.Origin.LEARNED);
        receive(d, frame(MAC_A, MAC_REMOTE, 60), "10.0.0.9", 1);
        assertEquals(0, env.count(Upcall.Kind.LEARNED));
        TargetEntry kept = d.targets().stream().filter(t -> t.mac() == MAC_REMOTE).findFirst().orElseThrow();
        assertEquals(TargetEntry.Origin.STATIC, kept.origin());
        assertEquals(List.of(DEST), kept.destinations());
        env.advanceMillis(1_000_000);
        d.sweep(env.now);
        assertTrue("static entries never age", d.targets().stream().anyMatch(t -> t.mac() == MAC_REMOTE));
    }

    @Test
    public void lookedUpEntriesInUseAreConfirmedAgainWhileFramesKeepFlowing() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTargetPolicy(TargetPolicy.lookup(Duration.ofSeconds(60)));
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        env.<MissRequest>take(Upcall.Kind.MISS).get(0).respond(DEST);
        env.advanceMillis(59_000);
        send(d, a, frame(MAC_REMOTE, MAC_A, 60)); // in use
        env.advanceMillis(2_000);
        d.sweep(env.now);
        List<MissRequest> refresh = env.take(Upcall.Kind.MISS);
        assertEquals(1, refresh.size());
        assertTrue(refresh.get(0).isRefresh());
        assertEquals(MAC_REMOTE, refresh.get(0).request().destinationMac());
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals("frames flow to the old destination meanwhile", List.of(DEST, DEST, DEST), mux.destinations);
        refresh.get(0).respond(PEER_2);
        assertEquals(1, d.stats().event(TargetResolver.REFRESHED));
        assertEquals(1, d.stats().event(TargetResolver.MOVED));
        send(d, a, frame(MAC_REMOTE, MAC_A, 60));
        assertEquals(PEER_2, mux.destinations.get(3));

        env.advanceMillis(121_000); // now idle for two lifetimes
        d.sweep(env.now);
        assertTrue("an idle entry ages out rather than being asked about", d.targets().isEmpty());
        assertEquals(0, env.count(Upcall.Kind.MISS));
    }

    @Test
    public void theReceivePathAllocatesNothingWhileConfirmingALearnedSource() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTargetPolicy(TargetPolicy.learning(Duration.ofSeconds(300), 100));
        d.setTarget(MAC_REMOTE, UnderlayAddress.parse("10.0.0.9:4789"), TargetEntry.Origin.LEARNED);
        a.delivered.clear();
        Fakes.Port sink = new Fakes.Port("sink", 0x020000000077L) {
            @Override
            public void deliver(ByteBuffer buf, int offset, int length) {
                counters.out(length);
            }
        };
        d.addPort(sink);
        byte[] f = frame(sink.mac, MAC_REMOTE, 1000);
        ByteBuffer buf = buffer(f);
        InetAddress sender = InetAddress.getByName("10.0.0.9");
        long allocatedPerFrame = allocatedPerCall(() -> d.fromUnderlay(buf, BufferLayout.HEADROOM, f.length, sender, 50000));
        assertEquals(0, env.count(Upcall.Kind.LEARNED));
        assertTrue("allocated " + allocatedPerFrame + " bytes per frame", allocatedPerFrame == 0);
    }

    // ---------------------------------------------------------------- receive

    @Test
    public void underlayUnicastIsDeliveredAndUnknownMacsAreCountedAndReportedRateLimited() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        byte[] toA = frame(MAC_A, MAC_REMOTE, 70);
        receive(d, toA, "10.0.0.9", 4789);
        assertArrayEquals(toA, a.delivered.get(0));
        assertEquals(0, b.delivered.size());

        byte[] stray = frame(0x0200_0000_0777L, MAC_REMOTE, 70);
        receive(d, stray, "10.0.0.9", 4789);
        receive(d, stray, "10.0.0.9", 4789);
        assertEquals(2, d.counters().drops(DropReasons.NOT_HERE));
        List<NotHere> reports = env.take(Upcall.Kind.NOT_HERE);
        assertEquals("one report a second per (MAC, sender)", 1, reports.size());
        assertEquals(0x0200_0000_0777L, reports.get(0).mac());
        assertEquals("10.0.0.9", reports.get(0).sender().getHostAddress());
        assertEquals(42, reports.get(0).vnetId());
        env.advanceMillis(1001);
        receive(d, stray, "10.0.0.9", 4789);
        assertEquals(1, env.count(Upcall.Kind.NOT_HERE));

        byte[] bcast = frame(MacAddress.BROADCAST, MAC_REMOTE, 28);
        receive(d, bcast, "10.0.0.9", 4789);
        assertEquals(2, a.delivered.size());
        assertEquals(1, b.delivered.size());
    }

    @Test
    public void deliverLocallyReachesEveryPortForBroadcast() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.deliverLocally(ByteBuffer.wrap(frame(MacAddress.BROADCAST, MAC_REMOTE, 28)));
        assertEquals(1, a.delivered.size());
        assertEquals(1, b.delivered.size());
    }

    // ---------------------------------------------------------------- accept=peers

    @Test
    public void aPointOverlayAcceptingPeersOnlyTakesFramesFromItsDestinationAlone() throws Exception {
        Device d = device(SearchMode.POINT, DeviceConfig.builder("ovl0", 42).acceptPeersOnly(true));
        d.setPointDestination(DEST);
        byte[] toA = frame(MAC_A, MAC_REMOTE, 60);
        receive(d, toA, "10.0.0.2", 50000);
        receive(d, toA, "10.0.0.66", 50000); // a host that guessed the vnet id
        assertEquals(1, a.delivered.size());
        assertEquals(1, d.counters().drops(DropReasons.NOT_A_PEER));
    }

    @Test
    public void aDynamicOverlayAcceptingPeersOnlyLooksTheSourceUpAndLetsInOnlyWhereItLives() throws Exception {
        Device d = device(SearchMode.DYNAMIC, DeviceConfig.builder("ovl0", 42).acceptPeersOnly(true));
        d.setFloodTargets(List.of(PEER_2), false);
        byte[] toA = frame(MAC_A, MAC_REMOTE, 60);
        receive(d, toA, "10.0.0.3", 1); // a configured peer
        assertEquals(1, a.delivered.size());

        receive(d, toA, "10.0.0.2", 1); // unknown yet: refused, and the source is looked up
        receive(d, toA, "10.0.0.2", 1);
        assertEquals(2, d.counters().drops(DropReasons.NOT_A_PEER));
        List<MissRequest> lookups = env.take(Upcall.Kind.MISS);
        assertEquals("one lookup of the source", 1, lookups.size());
        assertEquals(MAC_REMOTE, lookups.get(0).request().destinationMac());
        assertEquals(1, d.stats().event(TargetResolver.VERIFY));
        lookups.get(0).respond(DEST);
        receive(d, toA, "10.0.0.2", 1);
        assertEquals("where the plugin says it lives: let in", 2, a.delivered.size());
        receive(d, toA, "10.0.0.66", 1);
        assertEquals("claiming it from elsewhere: refused", 3, d.counters().drops(DropReasons.NOT_A_PEER));
        assertEquals(0, env.count(Upcall.Kind.MISS));
    }

    @Test
    public void acceptingAnySenderIsTheDefault() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        receive(d, frame(MAC_A, MAC_REMOTE, 60), "10.0.0.66", 1);
        assertEquals(1, a.delivered.size());
    }

    // ---------------------------------------------------------------- address requests

    /** A neighbour solicitation from fe80::1, or from :: (duplicate address detection). */
    static byte[] neighbourSolicitation(long senderMac, boolean dad) {
        byte[] f = new byte[14 + 40 + 24];
        MacAddress.write(f, 0, 0x3333FF000002L);
        MacAddress.write(f, 6, senderMac);
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(12, (short) 0x86DD).put(14, (byte) 0x60).putShort(18, (short) 24).put(20, (byte) 58).put(21, (byte) 255);
        if (!dad) {
            b.putShort(22, (short) 0xFE80).put(37, (byte) 1);
        }
        b.put(54, (byte) 135);
        return f;
    }

    @Test
    public void aProxyingOverlayTurnsArpRequestsAndSolicitationsIntoUpcallsInsteadOfFlooding() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setFloodTargets(List.of(GROUP), false);
        d.setAddressProxy(true);
        byte[] who = Frames.arp(MAC_A, 0x0A640001, 0x0A640002, 1);
        send(d, a, who);
        send(d, a, neighbourSolicitation(MAC_A, false));
        List<AddressRequest> requests = env.take(Upcall.Kind.ADDRESS_REQUEST);
        assertEquals(2, requests.size());
        byte[] copy = new byte[requests.get(0).frame().remaining()];
        requests.get(0).frame().get(copy);
        assertArrayEquals(who, copy);
        assertEquals("a local owner still hears it", 2, b.delivered.size());
        assertEquals("not flooded to the underlay", 0, mux.sent);
        assertEquals(2, d.stats().event(TransmitPath.ADDRESS_REQUESTS));

        send(d, a, Frames.arp(MAC_A, 0x0A640001, 0x0A640001, 1)); // gratuitous: an announcement, not a question
        send(d, a, Frames.arp(MAC_A, 0x0A640001, 0x0A640002, 2)); // a reply sent to broadcast
        send(d, a, Frames.arp(MAC_A, 0, 0x0A640002, 1)); // a probe: only the owner may answer
        send(d, a, neighbourSolicitation(MAC_A, true)); // duplicate address detection: likewise
        assertEquals(0, env.count(Upcall.Kind.ADDRESS_REQUEST));
        assertEquals(List.of(GROUP, GROUP, GROUP, GROUP), mux.destinations);

        d.deliverProxyReply(ByteBuffer.wrap(frame(MAC_A, MAC_REMOTE, 28)));
        assertEquals("the reply reaches the asker", 1, a.delivered.size());
        assertEquals(1, d.stats().event(Device.PROXIED));

        d.setAddressProxy(false);
        send(d, a, who);
        assertEquals("without a proxy, ARP floods like any broadcast", 5, mux.sent);
    }

    // ---------------------------------------------------------------- encapsulation and groups

    @Test
    public void anAbsentEncapsulationKeepsForwardingAndSaysWithWhichVersion() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        assertEquals(List.of(), d.faults());
        d.encapsulationAbsent();
        assertEquals(List.of("encapsulation fake absent: forwarding with version 1.0.0"), d.faults());
        send(d, a, frame(MAC_REMOTE, MAC_A, 40));
        assertEquals(1, mux.sent);
        Fakes.Encap newer = new Fakes.Encap();
        d.bind(new EncapBinding(newer, "1.1.0", newer, mux));
        assertEquals(List.of(), d.faults());
        assertEquals("1.1.0", d.encapsulationVersion());

        Device unbound = new Device(DeviceConfig.builder("ovl9", 9).encapsulation("fake", Map.of()).build(), env);
        assertEquals(List.of("encapsulation fake absent: not bound yet"), unbound.faults());
    }

    @Test
    public void aMulticastGroupIsJoinedOnTheMuxAndFollowsTheDevice() throws Exception {
        Device d = new Device(DeviceConfig.builder("ovl0", 42).encapsulation("fake", Map.of()).build(), env);
        InetAddress group = InetAddress.getByName("239.1.1.1");
        d.setMulticastGroup(group, "eth0", 1); // not bound yet: remembered
        assertEquals(List.of(), mux.joined);
        Fakes.Encap encap = new Fakes.Encap();
        d.bind(new EncapBinding(encap, "1.0.0", encap, mux));
        assertEquals(List.of("239.1.1.1/eth0/1"), mux.joined);
        d.setMulticastGroup(group, "eth0", 1);
        assertEquals("asking again changes nothing", 1, mux.joined.size());
        DataPathException e = assertThrows(DataPathException.class, () -> d.setMulticastGroup(group, "nosuch0", 1));
        assertEquals("no network interface nosuch0", e.getMessage());
        assertEquals(List.of(), mux.joined);
        assertThrows(DataPathException.class, () -> d.setMulticastGroup(InetAddress.getByName("10.1.1.1"), null, 1));
        d.setMulticastGroup(group, null, 4);
        d.close();
        assertEquals("left on close", List.of(), mux.joined);
    }

    // ---------------------------------------------------------------- allocation

    @Test
    public void theHitPathAllocatesNothing() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.LOOKUP);
        mux.record = false;
        byte[] f = frame(MAC_REMOTE, MAC_A, 1000);
        ByteBuffer buf = buffer(f);
        long allocated = allocatedPerCall(() -> d.fromVnic(a, buf, BufferLayout.HEADROOM, f.length));
        assertEquals(300_000, mux.sent);
        assertTrue("allocated " + allocated + " bytes per frame", allocated == 0);
    }

    /**
     * A reader that sends in batches: nothing reaches the mux until the flush, then every packet
     * is counted once, out when the mux took it, a drop by its reason when it refused it.
     */
    @Test
    public void batchedSendsAreCountedAtTheFlushOutOrDroppedNeverBoth() throws Exception {
        Device d = device(SearchMode.POINT);
        d.setPointDestination(DEST);
        SendBatch batch = new SendBatch();
        byte[] f = frame(MAC_REMOTE, MAC_A, 100);
        for (int i = 0; i < 3; i++) {
            d.fromVnic(a, buffer(f), BufferLayout.HEADROOM, f.length, batch);
        }
        assertEquals("held until the flush", 0, mux.sent);
        assertEquals(0, d.counters().packetsOut());
        batch.flush();
        assertEquals(3, mux.sent);
        assertEquals(3, d.counters().packetsOut());
        mux.refuse = DropReasons.SEND_QUEUE_FULL;
        d.fromVnic(a, buffer(f), BufferLayout.HEADROOM, f.length, batch);
        batch.flush();
        assertEquals(3, d.counters().packetsOut());
        assertEquals(1, a.counters.drops(DropReasons.SEND_QUEUE_FULL));
    }

    @Test
    public void theBatchedHitPathAllocatesNothing() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        d.setTarget(MAC_REMOTE, DEST, TargetEntry.Origin.LOOKUP);
        mux.record = false;
        byte[] f = frame(MAC_REMOTE, MAC_A, 1000);
        ByteBuffer buf = buffer(f);
        SendBatch batch = new SendBatch();
        int[] calls = {0};
        long allocated = allocatedPerCall(() -> {
            d.fromVnic(a, buf, BufferLayout.HEADROOM, f.length, batch);
            if (++calls[0] % 64 == 0) {
                batch.flush();
            }
        });
        batch.flush();
        assertEquals(300_000, mux.sent);
        assertTrue("allocated " + allocated + " bytes per frame", allocated == 0);
    }

    /** Unicast for a local VNIC goes through the receive thread's delivery; allocation-free. */
    @Test
    public void theBatchedReceivePathHandsUnicastToTheDeliveryAndAllocatesNothing() throws Exception {
        Device d = device(SearchMode.DYNAMIC);
        long[] held = {0};
        Delivery delivery = new Delivery() {
            @Override
            public void deliver(LocalPort port, ByteBuffer buf, int offset, int length) {
                held[0]++;
            }

            @Override
            public void flush() {
            }
        };
        byte[] toA = frame(MAC_A, MAC_REMOTE, 1000);
        ByteBuffer buf = buffer(toA);
        InetAddress sender = InetAddress.getByName("10.0.0.9");
        d.fromUnderlay(buf, BufferLayout.HEADROOM, toA.length, sender, 4789, delivery);
        assertEquals(1, held[0]);
        assertEquals("through the delivery, not straight to the VNIC", 0, a.delivered.size());
        byte[] bcast = frame(MacAddress.BROADCAST, MAC_REMOTE, 60);
        d.fromUnderlay(buffer(bcast), BufferLayout.HEADROOM, bcast.length, sender, 4789, delivery);
        assertEquals("broadcast is delivered at once", 1, a.delivered.size());
        assertEquals(1, held[0]);
        long allocated = allocatedPerCall(() -> d.fromUnderlay(buf, BufferLayout.HEADROOM, toA.length, sender, 4789, delivery));
        assertTrue("allocated " + allocated + " bytes per frame", allocated == 0);
    }

    /** Bytes the calling thread allocates per call, after 200,000 calls of warm-up, over 100,000 calls (rounded down). */
    private static long allocatedPerCall(Runnable call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) { // warm up: let the JIT compile the path
            call.run();
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            call.run();
        }
        return (threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / n;
    }
}
