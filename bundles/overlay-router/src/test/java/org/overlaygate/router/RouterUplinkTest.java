package org.overlaygate.router;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Before;
import org.junit.Test;

/** The uplink: a router port on a host interface, where {@code uplink} routes lead and NAT meets the outside. */
public class RouterUplinkTest {
    static final long ROUTER = RouterTest.ROUTER;
    static final long UPLINK = 0x0252_0000_0077L;
    static final long VM1 = RouterTest.VM1;
    static final long HOST = 0x0200_0000_00AAL;
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    final AtomicLong now = new AtomicLong(5_000_000_000L);
    final Map<String, Long> searchPlugin = new HashMap<>();
    Router router;
    FakePort ovl1;
    FakeLink outside;

    @Before
    public void setUp() {
        router = new Router(definition("gw 192.0.2.1", "0.0.0.0/0 uplink"), now::get);
        connect();
        router.resolver = (overlay, hi, lo) -> {
            Long mac = searchPlugin.get(overlay + " " + Ip.format(hi, lo));
            return CompletableFuture.completedFuture(mac == null ? OptionalLong.empty() : OptionalLong.of(mac));
        };
        searchPlugin.put("ovl1 10.1.0.5", VM1);
    }

    /** Joins the router's ports to their networks, as the manager does. */
    void connect() {
        ovl1 = new FakePort("ovl1", ROUTER, 1400);
        port("ovl1").link = PortLink.of(ovl1);
        RouterPort uplink = port("uplink:ogup0");
        outside = new FakeLink("ogup0", 1500, uplink::fromHost);
        uplink.link = PortLink.of(outside);
    }

    static RouterDefinition definition(String gateway, String... routes) {
        List<RouterDefinition.RouteSpec> r = Arrays.stream(routes).map(RouterDefinition.RouteSpec::parse).toList();
        return new RouterDefinition("r1", ROUTER, List.of(new RouterDefinition.PortDefinition("ovl1", ROUTER, List.of(Prefix.parse("10.1.0.1/24"))),
                RouterDefinition.PortDefinition.parse("uplink:ogup0 " + org.overlaygate.api.MacAddress.format(UPLINK) + " 192.0.2.2/24 " + gateway)), r);
    }

    RouterPort port(String name) {
        for (RouterPort p : router.config().ports) {
            if (p.overlay.equals(name)) {
                return p;
            }
        }
        throw new AssertionError(name);
    }

    void fromVm(byte[] frame) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(frame.length + 100);
        b.put(64, frame);
        port("ovl1").receive(b, 64, frame.length);
    }

    /** The host answers the router's ARP request for {@code address} on the uplink. */
    void hostAnswers(String address) {
        byte[] request = outside.only();
        assertEquals(BROADCAST, Wire.mac(request, 0));
        assertEquals("asked from the uplink's MAC", UPLINK, Wire.mac(request, 6));
        assertEquals("192.0.2.2", Wire.text(Arrays.copyOfRange(request, 28, 32)));
        assertEquals(address, Wire.text(Arrays.copyOfRange(request, 38, 42)));
        outside.read(Wire.arp(UPLINK, 2, HOST, address, UPLINK, "192.0.2.2"));
    }

    @Test
    public void theDefinitionKeepsTheUplinkAndItsRoutes() {
        RouterDefinition d = definition("gw 192.0.2.1", "0.0.0.0/0 uplink");
        RouterDefinition.PortDefinition u = d.uplink();
        assertEquals("ogup0", u.hostInterface);
        assertEquals("uplink:ogup0 02:52:00:00:00:77 192.0.2.2/24 gw 192.0.2.1", u.spec());
        assertTrue(RouterDefinition.PortDefinition.parse(u.spec()).sameAs(u));
        assertEquals("0.0.0.0/0 uplink", d.routes.get(0).spec());
        assertEquals(d.routes.get(0).spec(), RouterDefinition.RouteSpec.parse("0.0.0.0/0 uplink").spec());
        RouterDefinition back = RouterDefinition.fromDictionary(d.toDictionary());
        assertTrue(back.uplink().sameAs(u));
        assertTrue(back.routes.get(0).uplink);
    }

    @Test
    public void anUplinkRouteLeadsToTheGatewayResolvedByArpOnTheLink() {
        fromVm(Wire.ipv4(ROUTER, VM1, "10.1.0.5", "198.51.100.7", 64, 1, false, Wire.icmp(8, 0, 1, 1, 20)));
        hostAnswers("192.0.2.1");
        Wire.V4 out = new Wire.V4(outside.only());
        assertEquals("to the gateway's MAC", HOST, out.dstMac);
        assertEquals("from the uplink's MAC", UPLINK, out.srcMac);
        assertEquals("198.51.100.7", out.dst);
        assertEquals(63, out.ttl);
        assertTrue(out.headerChecksumOk);
        assertEquals("the gateway is an uplink neighbour", Neighbour.State.REACHABLE,
                port("uplink:ogup0").neighbours.get(0, Ip.parse("192.0.2.1")[1]).state);

        // and back: the host sends a reply to the VM through the router's uplink MAC
        outside.read(Wire.ipv4(UPLINK, HOST, "198.51.100.7", "10.1.0.5", 64, 1, false, Wire.icmp(0, 0, 1, 1, 20)));
        Wire.V4 back = new Wire.V4(ovl1.only());
        assertEquals(VM1, back.dstMac);
        assertEquals("198.51.100.7", back.src);
    }

    @Test
    public void uplinkRoutesNeedAGatewayOfTheirFamily() {
        router.apply(definition("", "198.51.100.0/24 uplink"));
        assertEquals("only the connected routes", 2, router.config().table.size());
        router.apply(definition("gw 192.0.2.1", "2001:db8:99::/48 uplink", "198.51.100.0/24 uplink"));
        assertEquals(3, router.config().table.size());
        connect();
        fromVm(Wire.ipv4(ROUTER, VM1, "10.1.0.5", "198.51.100.7", 64, 1, false, Wire.icmp(8, 0, 1, 1, 20)));
        hostAnswers("192.0.2.1");
        assertEquals("198.51.100.7", new Wire.V4(outside.only()).dst);
    }

    @Test
    public void masqueradingBehindTheUplinkAddress() {
        router.apply(router.definition().withMasquerades(List.of(RouterDefinition.MasqueradeSpec.parse("10.1.0.0/24 192.0.2.2"))));
        fromVm(Wire.ipv4(ROUTER, VM1, "10.1.0.5", "198.51.100.7", 64, 17, true, Wire.udp("10.1.0.5", "198.51.100.7", 40000, 53, 12, true)));
        hostAnswers("192.0.2.1");
        Wire.V4 out = new Wire.V4(outside.only());
        assertEquals("the outside sees the uplink's address", "192.0.2.2", out.src);
        assertTrue(out.headerChecksumOk && out.transportChecksumOk());
        int port = Wire.u16(out.payload, 0);

        outside.read(Wire.ipv4(UPLINK, HOST, "198.51.100.7", "192.0.2.2", 64, 17, true, Wire.udp("198.51.100.7", "192.0.2.2", 53, port, 12, true)));
        Wire.V4 back = new Wire.V4(ovl1.only());
        assertEquals("10.1.0.5", back.dst);
        assertEquals(40000, Wire.u16(back.payload, 2));
        assertTrue(back.headerChecksumOk && back.transportChecksumOk());
    }

    /** An ICMP error from the outside about {@code left} (a frame that left through the uplink), quoting its IP header and {@code quoted} bytes after it. */
    static byte[] errorAbout(byte[] left, int type, int code, int rest, int quoted) {
        byte[] m = new byte[8 + 20 + quoted];
        m[0] = (byte) type;
        m[1] = (byte) code;
        Wire.put16(m, 6, rest);
        System.arraycopy(left, 14, m, 8, 20 + quoted);
        Wire.put16(m, 2, Wire.checksum(m, 0, m.length, 0));
        return m;
    }

    /** Checks the error a VM got: for it, quoting what it sent itself, every checksum good. */
    static Wire.Icmp assertQuotesTheInside(byte[] frame, String insideIp, int insidePort) {
        Wire.V4 v = new Wire.V4(frame);
        assertEquals(insideIp, v.dst);
        Wire.Icmp icmp = v.icmp();
        assertTrue("ICMP checksum over the rewritten message", icmp.checksumOk);
        byte[] q = icmp.body;
        assertEquals("the quoted source is what the VM sent from", insideIp, Wire.text(Arrays.copyOfRange(q, 12, 16)));
        assertEquals("the quoted header's checksum", 0, Wire.checksum(q, 0, 20, 0));
        assertEquals("the quoted source port", insidePort, Wire.u16(q, 20));
        return icmp;
    }

    @Test
    public void icmpErrorsAboutMasqueradedPacketsReachTheirSenderTranslated() {
        router.apply(router.definition().withMasquerades(List.of(RouterDefinition.MasqueradeSpec.parse("10.1.0.0/24 192.0.2.2"))));
        fromVm(Wire.ipv4(ROUTER, VM1, "10.1.0.5", "198.51.100.7", 64, 17, true, Wire.udp("10.1.0.5", "198.51.100.7", 40000, 53, 1300, true)));
        hostAnswers("192.0.2.1");
        byte[] left = outside.only();
        // a router beyond the gateway: fragmentation needed, next-hop MTU 1200, quoting the whole UDP header (checksum included)
        outside.read(Wire.ipv4(UPLINK, HOST, "198.51.100.1", "192.0.2.2", 64, 1, false, errorAbout(left, 3, 4, 1200, 48)));
        Wire.Icmp fragNeeded = assertQuotesTheInside(ovl1.only(), "10.1.0.5", 40000);
        assertEquals(3, fragNeeded.type);
        assertEquals("the next-hop MTU goes through", 1200, fragNeeded.rest & 0xFFFF);
        byte[] q = fragNeeded.body;
        int quotedUdpLength = Wire.u16(q, 24);
        assertEquals(8 + 1300, quotedUdpLength);

        // time exceeded about a TCP segment, quoting 8 bytes only (RFC 792's minimum)
        byte[] syn = Wire.tcp("10.1.0.5", "198.51.100.7", 41000, 80, 0);
        fromVm(Wire.ipv4(ROUTER, VM1, "10.1.0.5", "198.51.100.7", 64, 6, true, syn));
        byte[] tcpLeft = outside.only();
        outside.read(Wire.ipv4(UPLINK, HOST, "198.51.100.1", "192.0.2.2", 64, 1, false, errorAbout(tcpLeft, 11, 0, 0, 8)));
        assertEquals(11, assertQuotesTheInside(ovl1.only(), "10.1.0.5", 41000).type);

        // about no connection the router knows: for the router itself, not forwarded
        byte[] stranger = tcpLeft.clone();
        Wire.put16(stranger, 34, 2000);
        outside.read(Wire.ipv4(UPLINK, HOST, "198.51.100.1", "192.0.2.2", 64, 1, false, errorAbout(stranger, 3, 3, 0, 8)));
        assertTrue(ovl1.take().isEmpty());
    }

    @Test
    public void icmpErrorsAboutWhatAnElasticIpSentReachItsVm() {
        router.apply(router.definition().withNats(List.of(RouterDefinition.NatSpec.parse("192.0.2.10 10.1.0.5"))));
        fromVm(Wire.ipv4(ROUTER, VM1, "10.1.0.5", "198.51.100.7", 64, 17, true, Wire.udp("10.1.0.5", "198.51.100.7", 40000, 53, 12, true)));
        hostAnswers("192.0.2.1");
        byte[] left = outside.only();
        assertEquals("192.0.2.10", new Wire.V4(left).src);
        outside.read(Wire.ipv4(UPLINK, HOST, "198.51.100.7", "192.0.2.10", 64, 1, false, errorAbout(left, 3, 3, 0, 20)));
        assertEquals("port unreachable", 3, assertQuotesTheInside(ovl1.only(), "10.1.0.5", 40000).code);
    }

    @Test
    public void aPublicAddressOnTheUplinkIsAnsweredForAndReachesItsVm() {
        router.apply(router.definition().withNats(List.of(RouterDefinition.NatSpec.parse("192.0.2.10 10.1.0.5"))));
        outside.read(Wire.arp(BROADCAST, 1, HOST, "192.0.2.1", 0, "192.0.2.10"));
        byte[] reply = outside.only();
        assertEquals(2, Wire.u16(reply, 20));
        assertEquals("the uplink's MAC has the public address", UPLINK, Wire.mac(reply, 22));
        assertEquals("192.0.2.10", Wire.text(Arrays.copyOfRange(reply, 28, 32)));

        outside.read(Wire.ipv4(UPLINK, HOST, "198.51.100.7", "192.0.2.10", 64, 6, true, Wire.tcp("198.51.100.7", "192.0.2.10", 40000, 22, 10)));
        Wire.V4 in = new Wire.V4(ovl1.only());
        assertEquals("10.1.0.5", in.dst);
        assertTrue(in.headerChecksumOk && in.transportChecksumOk());
    }

    @Test
    public void framesForOtherMacsOnAnAttachedInterfaceAreNotTheRouters() {
        long before = router.counters.get(RouterCounters.ROUTED);
        outside.read(Wire.ipv4(0x0200_0000_0BBBL, HOST, "198.51.100.7", "10.1.0.5", 64, 1, false, Wire.icmp(0, 0, 1, 1, 20)));
        outside.read(new byte[10]);
        assertTrue(ovl1.take().isEmpty());
        assertTrue(outside.take().isEmpty());
        assertEquals(before, router.counters.get(RouterCounters.ROUTED));
    }

    @Test
    public void theUplinkAsksNoSearchPluginForItsNeighbours() {
        searchPlugin.put("uplink:ogup0 192.0.2.1", 0x0200_0000_0CCCL);
        fromVm(Wire.ipv4(ROUTER, VM1, "10.1.0.5", "198.51.100.7", 64, 1, false, Wire.icmp(8, 0, 1, 1, 20)));
        hostAnswers("192.0.2.1");
        assertEquals(HOST, new Wire.V4(outside.only()).dstMac);
    }
}
