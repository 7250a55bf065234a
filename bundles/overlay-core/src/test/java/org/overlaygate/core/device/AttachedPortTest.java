package org.overlaygate.core.device;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.core.device.Fakes.DEST;
import static org.overlaygate.core.device.Fakes.MAC_A;
import static org.overlaygate.core.device.Fakes.MAC_B;
import static org.overlaygate.core.device.Fakes.MAC_REMOTE;
import static org.overlaygate.core.device.Fakes.buffer;
import static org.overlaygate.core.device.Fakes.frame;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.MacAddress;
import org.overlaygate.api.UnderlayAddress;
import org.overlaygate.api.datapath.AttachedPort;
import org.overlaygate.api.datapath.DataPathException;
import org.overlaygate.api.datapath.DeviceConfig;
import org.overlaygate.api.datapath.MissRequest;
import org.overlaygate.api.datapath.PortHandler;
import org.overlaygate.api.datapath.TargetEntry;
import org.overlaygate.api.datapath.Upcall;
import org.overlaygate.api.search.SearchMode;
import org.overlaygate.api.search.TargetPolicy;
import org.overlaygate.core.base.BufferLayout;
import org.overlaygate.testsupport.Frames;

/**
 * Issue 19's seams in the core: a port whose far side is a callback (a router's interface) gets
 * what the overlay delivers to its MAC and every broadcast, on the data-path thread, and sends into
 * the overlay through the VNIC's path; a broadcast it answers for itself goes no further; a MAC of
 * this host is never learned as remote.
 */
public class AttachedPortTest {
    private static final long MAC_ROUTER = 0x0A00_0000_0001L;

    private Fakes.Env env;
    private Fakes.Mux mux;
    private Fakes.Port a;
    private Fakes.Port b;
    private Device d;

    /** Records what it is handed; answers broadcasts for itself when told to. */
    static final class Recorder implements PortHandler {
        final List<byte[]> unicast = new ArrayList<>();
        final List<String> group = new ArrayList<>();
        boolean consume;
        RuntimeException fail;

        @Override
        public void receive(ByteBuffer buf, int offset, int length) {
            if (fail != null) {
                throw fail;
            }
            byte[] copy = new byte[length];
            buf.get(offset, copy);
            unicast.add(copy);
        }

        @Override
        public boolean receiveGroup(ByteBuffer buf, int offset, int length, boolean fromUnderlay) {
            if (fail != null) {
                throw fail;
            }
            group.add(fromUnderlay ? "underlay" : "local");
            return consume;
        }
    }

    @Before
    public void setUp() throws DataPathException {
        env = new Fakes.Env();
        mux = new Fakes.Mux();
        a = new Fakes.Port("a", MAC_A);
        b = new Fakes.Port("b", MAC_B);
        d = new Device(DeviceConfig.builder("ovl0", 42).mode(SearchMode.DYNAMIC).encapsulation("fake", Map.of()).build(), env);
        Fakes.Encap encap = new Fakes.Encap();
        d.bind(new EncapBinding(encap, "1.0.0", encap, mux));
        d.addPort(a);
        d.addPort(b);
    }

    private void fromVm(Fakes.Port from, byte[] f) {
        d.fromVnic(from, buffer(f), BufferLayout.HEADROOM, f.length);
    }

    private void fromUnderlay(byte[] f) {
        d.fromUnderlay(buffer(f), BufferLayout.HEADROOM, f.length, UnderlayAddress.parse("10.0.0.9").address(), 4789);
    }

    @Test
    public void theHeadroomTheApiPromisesIsTheDataPaths() {
        assertEquals(BufferLayout.HEADROOM, AttachedPort.HEADROOM);
    }

    @Test
    public void aPortGetsUnicastForItsMacAndEveryBroadcastSayingWhereItCameFrom() throws Exception {
        Recorder r = new Recorder();
        AttachedPort port = d.attachPort("r1.ovl0", MAC_ROUTER, true, r);
        byte[] toRouter = frame(MAC_ROUTER, MAC_A, 80);
        fromVm(a, toRouter);
        fromUnderlay(frame(MAC_ROUTER, MAC_REMOTE, 80));
        assertEquals(2, r.unicast.size());
        assertArrayEquals(toRouter, r.unicast.get(0));
        assertEquals("nothing to the underlay: switched locally", 0, mux.sent);

        fromVm(a, frame(MacAddress.BROADCAST, MAC_A, 28));
        fromUnderlay(frame(MacAddress.BROADCAST, MAC_REMOTE, 28));
        assertEquals(List.of("local", "underlay"), r.group);
        assertEquals("the broadcast still reached the overlay", 0, mux.sent); // no flood targets set
        assertEquals(4, port.stats().packetsOut());
    }

    @Test
    public void aBroadcastThePortAnswersForItselfGoesNeitherToOtherHostsNorToTheProxy() throws Exception {
        d.setFloodTargets(List.of(DEST), false);
        d.setAddressProxy(true);
        Recorder r = new Recorder();
        r.consume = true;
        d.attachPort("r1.ovl0", MAC_ROUTER, true, r);
        byte[] arp = Frames.arpRequest(MAC_A, "10.1.0.5", "10.1.0.1");
        fromVm(a, arp);
        assertEquals("other local ports get it anyway", 1, b.delivered.size());
        assertEquals("not flooded", 0, mux.sent);
        assertEquals("not proxied", 0, env.upcalls.size());
        assertEquals(1, d.stats().event(TransmitPath.ANSWERED_LOCALLY));

        r.consume = false;
        fromVm(a, arp);
        assertEquals("one it does not answer is proxied as before", 1, env.upcalls.size());
    }

    @Test
    public void framesSentThroughAPortTakeTheVnicsPath() throws Exception {
        AttachedPort port = d.attachPort("r1.ovl0", MAC_ROUTER, true, new Recorder());
        port.send(ByteBuffer.wrap(frame(MAC_B, MAC_ROUTER, 60)));
        assertEquals("switched locally", 1, b.delivered.size());
        byte[] toRemote = frame(MAC_REMOTE, MAC_ROUTER, 60);
        port.send(ByteBuffer.wrap(toRemote));
        List<MissRequest> misses = env.take(Upcall.Kind.MISS);
        assertEquals("a miss, as for a VNIC", 1, misses.size());
        assertEquals(MAC_ROUTER, misses.get(0).request().sourceMac());
        misses.get(0).respond(DEST);
        assertEquals(1, mux.sent);
        ByteBuffer inPlace = buffer(toRemote);
        port.sendInPlace(inPlace, BufferLayout.HEADROOM, toRemote.length);
        assertEquals("a hit, without a copy", 2, mux.sent);
        assertEquals(3, port.stats().packetsIn());
        assertThrows(IllegalArgumentException.class, () -> port.sendInPlace(ByteBuffer.allocate(2000), 100, 60));
    }

    @Test
    public void aMacOfThisHostIsNeverLearnedAsRemoteAndOnlyANonSharedOneIsCounted() throws Exception {
        d.setTargetPolicy(TargetPolicy.learning(Duration.ofSeconds(300), 100));
        d.attachPort("r1.ovl0", MAC_ROUTER, true, new Recorder());
        fromUnderlay(frame(MAC_B, MAC_A, 60)); // a VNIC's MAC, from another host
        fromUnderlay(frame(MAC_B, MAC_ROUTER, 60)); // the distributed gateway's, routed by another host
        assertEquals("nothing learned", 0, env.count(Upcall.Kind.LEARNED));
        assertEquals(1, d.stats().event(ReceivePath.LOCAL_MAC_FROM_UNDERLAY));
        assertEquals("both delivered", 2, b.delivered.size());
        assertTrue(d.targets().stream().noneMatch(t -> t.origin() == TargetEntry.Origin.LEARNED));
    }

    @Test
    public void aHandlerThatThrowsCostsItsFrameAndNothingElse() throws Exception {
        Recorder r = new Recorder();
        r.fail = new IllegalStateException("bug");
        AttachedPort port = d.attachPort("r1.ovl0", MAC_ROUTER, true, r);
        fromVm(a, frame(MacAddress.BROADCAST, MAC_A, 28));
        assertEquals("the other port still got it", 1, b.delivered.size());
        assertEquals(1, port.stats().drops().get(org.overlaygate.core.base.DropReasons.PORT_HANDLER_FAILED).longValue());
    }

    /** A handler that sends from within a delivery, to a port whose handler does the same ... */
    @Test
    public void sendsNestedInDeliveriesAreBoundedInDepth() throws Exception {
        AttachedPort[] ports = new AttachedPort[6];
        for (int i = 0; i < ports.length; i++) {
            int next = i + 1;
            long mac = MAC_ROUTER + i;
            ports[i] = d.attachPort("p" + i, mac, false, new PortHandler() {
                @Override
                public void receive(ByteBuffer buf, int offset, int length) {
                    if (next < ports.length) {
                        ports[next - 1].send(ByteBuffer.wrap(frame(MAC_ROUTER + next, mac, 40)));
                    }
                }

                @Override
                public boolean receiveGroup(ByteBuffer buf, int offset, int length, boolean fromUnderlay) {
                    return false;
                }
            });
        }
        ports[0].send(ByteBuffer.wrap(frame(MAC_ROUTER + 1, MAC_ROUTER, 40)));
        long delivered = 0;
        for (AttachedPort p : ports) {
            delivered += p.stats().packetsOut();
        }
        assertEquals("four sends deep, then dropped", CallbackPort.MAX_NESTING, delivered);
        assertEquals(1, ports[CallbackPort.MAX_NESTING].stats().drops().get(CallbackPort.NESTED_TOO_DEEP).longValue());
    }

    @Test
    public void aClosedPortGetsNothingMoreAndItsMacIsFreeAgain() throws Exception {
        Recorder r = new Recorder();
        AttachedPort port = d.attachPort("r1.ovl0", MAC_ROUTER, true, r);
        assertEquals(List.of("a", "b", "r1.ovl0"), d.portNames());
        port.close();
        port.close();
        fromVm(a, frame(MAC_ROUTER, MAC_A, 60));
        assertEquals(0, r.unicast.size());
        d.attachPort("r1.ovl0", MAC_ROUTER, true, r);
        assertThrows(DataPathException.class, () -> d.attachPort("dup", MAC_ROUTER, true, r));
        assertThrows(DataPathException.class, () -> d.attachPort("bcast", MacAddress.BROADCAST, true, r));
    }
}
