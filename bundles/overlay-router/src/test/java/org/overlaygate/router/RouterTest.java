package org.overlaygate.router;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Before;
import org.junit.Test;
import org.overlaygate.testsupport.Allocations;

/**
 * The router as a host and as a forwarder, fed frames built by {@link Wire} and checked with its
 * decoder: OVN's router cases by name where they apply.
 */
public class RouterTest {
    static final long ROUTER = 0x0252_0000_0001L;
    static final long VM1 = 0x0200_0000_0015L;
    static final long VM2 = 0x0200_0000_0027L;

    final AtomicLong now = new AtomicLong(5_000_000_000L);
    final Map<String, Long> searchPlugin = new HashMap<>();
    Router router;
    FakePort ovl1;
    FakePort ovl2;

    @Before
    public void setUp() {
        RouterDefinition d = new RouterDefinition("r1", ROUTER,
                List.of(new RouterDefinition.PortDefinition("ovl1", ROUTER, List.of(Prefix.parse("10.1.0.1/24"), Prefix.parse("2001:db8:1::1/64"))),
                        new RouterDefinition.PortDefinition("ovl2", ROUTER, List.of(Prefix.parse("10.2.0.1/24"), Prefix.parse("2001:db8:2::1/64")))),
                List.of());
        router = new Router(d, now::get);
        ovl1 = new FakePort("ovl1", ROUTER, 1400);
        ovl2 = new FakePort("ovl2", ROUTER, 1300);
        port("ovl1").link = PortLink.of(ovl1);
        port("ovl2").link = PortLink.of(ovl2);
        router.resolver = (overlay, hi, lo) -> {
            Long mac = searchPlugin.get(overlay + " " + Ip.format(hi, lo));
            return CompletableFuture.completedFuture(mac == null ? OptionalLong.empty() : OptionalLong.of(mac));
        };
    }

    RouterPort port(String overlay) {
        for (RouterPort p : router.config().ports) {
            if (p.overlay.equals(overlay)) {
                return p;
            }
        }
        throw new AssertionError(overlay);
    }

    /** Delivers a frame as the data path does: in a direct buffer, at an offset. */
    void unicast(String overlay, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocateDirect(frame.length + 100);
        b.put(64, frame);
        port(overlay).receive(b, 64, frame.length);
    }

    boolean group(String overlay, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocateDirect(frame.length + 100);
        b.put(64, frame);
        return port(overlay).receiveGroup(b, 64, frame.length, false);
    }

    long count(String name) {
        return router.counters.get(name);
    }

    // ---------------------------------------------------------------- as a host

    @Test
    public void answersArpForItsAddressFromItsSubnet() {
        assertTrue(group("ovl1", Wire.arp(-1L & 0xFFFF_FFFF_FFFFL, 1, VM1, "10.1.0.5", 0, "10.1.0.1")));
        byte[] reply = ovl1.only();
        assertEquals(VM1, Wire.mac(reply, 0));
        assertEquals(ROUTER, Wire.mac(reply, 6));
        assertEquals(0x0806, Wire.u16(reply, 12));
        assertEquals(2, Wire.u16(reply, 20));
        assertEquals(ROUTER, Wire.mac(reply, 22));
        assertEquals("10.1.0.1", Wire.text(Arrays.copyOfRange(reply, 28, 32)));
        assertEquals(VM1, Wire.mac(reply, 32));
        assertEquals("10.1.0.5", Wire.text(Arrays.copyOfRange(reply, 38, 42)));
        assertEquals("the asker is remembered, unconfirmed", Neighbour.State.STALE, port("ovl1").neighbours.get(0, Ip.parse("10.1.0.5")[1]).state);
    }

    @Test
    public void arpFromOutsideThePortsSubnetIsNotAnswered() {
        assertTrue("the request is for the router alone", group("ovl1", Wire.arp(0xFFFF_FFFF_FFFFL, 1, VM1, "10.9.0.5", 0, "10.1.0.1")));
        assertTrue(ovl1.take().isEmpty());
        assertEquals(1, count(RouterCounters.DROP_ARP_FOREIGN_SENDER));
        // nor the address of another port (gateway router drop traffic for own IPs of other ports' ARP)
        assertFalse(group("ovl1", Wire.arp(0xFFFF_FFFF_FFFFL, 1, VM1, "10.1.0.5", 0, "10.2.0.1")));
        assertTrue(ovl1.take().isEmpty());
    }

    @Test
    public void answersEchoRequests() {
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.1.0.1", 64, 1, false, Wire.icmp(8, 0, 77, 3, 56)));
        Wire.V4 reply = new Wire.V4(ovl1.only());
        assertTrue(reply.headerChecksumOk);
        assertEquals(VM1, reply.dstMac);
        assertEquals("10.1.0.1", reply.src);
        assertEquals("10.1.0.5", reply.dst);
        Wire.Icmp icmp = reply.icmp();
        assertEquals(0, icmp.type);
        assertTrue("ICMP checksum", icmp.checksumOk);
        assertEquals((77L << 16) | 3, icmp.rest);
        assertArrayEquals(Arrays.copyOfRange(Wire.icmp(8, 0, 77, 3, 56), 8, 64), icmp.body);
        // the address of the other port answers too
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.1", 64, 1, false, Wire.icmp(8, 0, 77, 4, 8)));
        assertEquals("10.2.0.1", new Wire.V4(ovl1.only()).src);
        assertEquals(2, count(RouterCounters.ECHO_ANSWERED));
    }

    @Test
    public void routerPortUnreachable() {
        byte[] probe = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.1.0.1", 64, 17, false, Wire.udp(40000, 33434, 12));
        unicast("ovl1", probe);
        Wire.V4 err = new Wire.V4(ovl1.only());
        Wire.Icmp icmp = err.icmp();
        assertEquals(3, icmp.type);
        assertEquals(3, icmp.code);
        assertTrue(icmp.checksumOk && err.headerChecksumOk);
        assertArrayEquals("the whole offending packet is quoted", Arrays.copyOfRange(probe, 14, probe.length), icmp.body);
        assertEquals(1, count(RouterCounters.ICMP_PORT_UNREACHABLE));
    }

    @Test
    public void answersNeighbourSolicitationsEchoAndRouterSolicitationsInIpv6() {
        assertTrue(group("ovl1", Wire.ipv6(0x3333_FF00_0001L, VM1, "2001:db8:1::5", "ff02::1:ff00:1", 255, 58,
                Wire.solicitation("2001:db8:1::1", VM1))));
        Wire.V6 na = new Wire.V6(ovl1.only());
        Wire.Icmp adv = na.icmp();
        assertTrue(na.icmpChecksumOk);
        assertEquals(136, adv.type);
        assertEquals(255, na.hopLimit);
        assertEquals("2001:db8:1:0:0:0:0:1", na.src);
        assertEquals(VM1, na.dstMac);
        assertEquals("router, solicited, override", 0xE0, (int) (adv.rest >>> 24));
        assertEquals(ROUTER, Wire.mac(adv.body, 16 + 2));

        unicast("ovl1", Wire.ipv6(ROUTER, VM1, "2001:db8:1::5", "2001:db8:1::1", 64, 58, Wire.echo6(9, 1, 32)));
        Wire.V6 echo = new Wire.V6(ovl1.only());
        assertEquals(129, echo.icmp().type);
        assertTrue(echo.icmpChecksumOk);
        assertEquals("2001:db8:1:0:0:0:0:5", echo.dst);

        assertTrue(group("ovl1", Wire.ipv6(0x3333_0000_0002L, VM1, "fe80::5", "ff02::2", 255, 58, Wire.icmp6(133, 0, new byte[4]))));
        Wire.V6 ra = new Wire.V6(ovl1.only());
        Wire.Icmp adv2 = ra.icmp();
        assertTrue(ra.icmpChecksumOk);
        assertEquals(134, adv2.type);
        assertTrue("from the link-local address", ra.src.startsWith("fe80:"));
        assertEquals(1800, adv2.rest & 0xFFFF);
        // options after reachable time and retrans timer: SLLA, MTU, prefix
        byte[] o = adv2.body;
        assertEquals(1, o[8]);
        assertEquals(5, o[16]);
        assertEquals(1400, ((o[20] & 0xFF) << 24) | ((o[21] & 0xFF) << 16) | ((o[22] & 0xFF) << 8) | (o[23] & 0xFF));
        assertEquals(3, o[24]);
        assertEquals(64, o[26]);
        assertEquals("on-link and autonomous", 0xC0, o[27] & 0xFF);
        assertEquals("2001:db8:1:0:0:0:0:0", Wire.text(Arrays.copyOfRange(o, 40, 56)));
    }

    // ---------------------------------------------------------------- forwarding

    @Test
    public void forwardsWithTheNextHopFromTheSearchPluginDecrementingTtl() {
        searchPlugin.put("ovl2 10.2.0.7", VM2);
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 17, true, Wire.udp(1000, 2000, 100));
        unicast("ovl1", in);
        Wire.V4 out = new Wire.V4(ovl2.only());
        assertEquals(VM2, out.dstMac);
        assertEquals(ROUTER, out.srcMac);
        assertEquals(63, out.ttl);
        assertTrue("incrementally updated header checksum", out.headerChecksumOk);
        assertArrayEquals(Arrays.copyOfRange(in, 34, in.length), out.payload);
        assertEquals(1, count(RouterCounters.NEIGHBOUR_FROM_LOOKUP));
        assertEquals(1, count(RouterCounters.ROUTED));
        // the next one goes straight
        unicast("ovl1", in);
        assertEquals(63, new Wire.V4(ovl2.only()).ttl);
        assertEquals(2, count(RouterCounters.ROUTED));
    }

    @Test
    public void ipPacketBufferingAndSendArpForNexthop() {
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 1, false, Wire.icmp(8, 0, 1, 1, 20));
        unicast("ovl1", in);
        unicast("ovl1", in);
        List<byte[]> probes = ovl2.take();
        assertEquals("one ARP request, from the port's address", 1, probes.size());
        byte[] arp = probes.get(0);
        assertEquals(0xFFFF_FFFF_FFFFL, Wire.mac(arp, 0));
        assertEquals(1, Wire.u16(arp, 20));
        assertEquals("10.2.0.1", Wire.text(Arrays.copyOfRange(arp, 28, 32)));
        assertEquals("10.2.0.7", Wire.text(Arrays.copyOfRange(arp, 38, 42)));
        assertEquals(2, count(RouterCounters.HELD));
        assertFalse(group("ovl2", Wire.arp(ROUTER, 2, VM2, "10.2.0.7", ROUTER, "10.2.0.1")));
        List<byte[]> released = ovl2.take();
        assertEquals(2, released.size());
        for (byte[] f : released) {
            Wire.V4 v = new Wire.V4(f);
            assertEquals(VM2, v.dstMac);
            assertEquals(63, v.ttl);
            assertTrue(v.headerChecksumOk);
        }
        assertEquals(Neighbour.State.REACHABLE, port("ovl2").neighbours.get(0, Ip.parse("10.2.0.7")[1]).state);
    }

    @Test
    public void anUnresolvedNextHopGivesHostUnreachableAfterThreeSeconds() {
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.9", 64, 17, false, Wire.udp(1000, 2000, 10));
        unicast("ovl1", in);
        for (int i = 0; i < 10; i++) {
            unicast("ovl1", in);
        }
        assertEquals("at most four wait", NeighbourTable.MAX_HELD, count(RouterCounters.HELD));
        assertEquals(7, count(RouterCounters.DROP_HOLD_FULL));
        now.addAndGet(1_000_000_000L);
        router.tick();
        assertEquals("ARP sent again after a second", 2, ovl2.take().size());
        now.addAndGet(2_000_000_000L);
        router.tick();
        List<byte[]> errors = ovl1.take();
        assertEquals(4, errors.size());
        Wire.V4 e = new Wire.V4(errors.get(0));
        assertEquals(VM1, e.dstMac);
        assertEquals("10.1.0.1", e.src);
        assertEquals("10.1.0.5", e.dst);
        assertEquals(3, e.icmp().type);
        assertEquals(1, e.icmp().code);
        assertTrue(e.icmp().checksumOk);
        assertEquals(4, count(RouterCounters.DROP_NEIGHBOUR_UNREACHABLE));
        assertEquals(null, port("ovl2").neighbours.get(0, Ip.parse("10.2.0.9")[1]));
    }

    @Test
    public void ttlExceeded() {
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 1, 17, false, Wire.udp(1000, 33434, 10));
        unicast("ovl1", in);
        assertTrue(ovl2.take().isEmpty());
        Wire.V4 e = new Wire.V4(ovl1.only());
        assertEquals(11, e.icmp().type);
        assertEquals(0, e.icmp().code);
        assertEquals("10.1.0.1", e.src);
        assertTrue(e.icmp().checksumOk && e.headerChecksumOk);
        assertArrayEquals(Arrays.copyOfRange(in, 14, in.length), e.icmp().body);
    }

    @Test
    public void fragmentationNeededCarriesTheEgressMtu() {
        searchPlugin.put("ovl2 10.2.0.7", VM2);
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 1, true, Wire.icmp(8, 0, 1, 1, 1372));
        assertEquals(1400, in.length - 14);
        unicast("ovl1", in);
        assertTrue(ovl2.take().isEmpty());
        Wire.Icmp e = new Wire.V4(ovl1.only()).icmp();
        assertEquals(3, e.type);
        assertEquals(4, e.code);
        assertEquals("next-hop MTU", 1300, e.rest & 0xFFFF);
        assertEquals("at most 576 bytes", 576 - 28, e.body.length);
        // 1300 exactly passes
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 1, true, Wire.icmp(8, 0, 1, 1, 1272)));
        assertEquals(1314, ovl2.only().length);
    }

    @Test
    public void withoutDfAPacketTooBigIsFragmented() {
        searchPlugin.put("ovl2 10.2.0.7", VM2);
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 17, false, Wire.udp(1000, 2000, 1372));
        unicast("ovl1", in);
        List<byte[]> fragments = ovl2.take();
        assertEquals(2, fragments.size());
        Wire.V4 first = new Wire.V4(fragments.get(0));
        Wire.V4 second = new Wire.V4(fragments.get(1));
        assertTrue(first.headerChecksumOk && second.headerChecksumOk);
        assertEquals("fits the egress MTU, payload a multiple of 8", 20 + 1280, first.total);
        assertEquals("MF, offset 0", 0x2000, first.flags);
        assertEquals("no MF, offset 1280/8", 160, second.flags);
        assertEquals(20 + 1380 - 1280, second.total);
        assertEquals(63, first.ttl);
        assertEquals(63, second.ttl);
        byte[] joined = new byte[first.payload.length + second.payload.length];
        System.arraycopy(first.payload, 0, joined, 0, first.payload.length);
        System.arraycopy(second.payload, 0, joined, first.payload.length, second.payload.length);
        assertArrayEquals("reassembled, the original payload", Arrays.copyOfRange(in, 34, in.length), joined);
        assertEquals(1, count(RouterCounters.FRAGMENTED));
        assertTrue("no error to the sender", ovl1.take().isEmpty());
    }

    @Test
    public void packetTooBigInIpv6() {
        searchPlugin.put("ovl2 2001:db8:2::7", VM2);
        unicast("ovl1", Wire.ipv6(ROUTER, VM1, "2001:db8:1::5", "2001:db8:2::7", 64, 58, Wire.echo6(1, 1, 1400 - 48)));
        Wire.V6 e = new Wire.V6(ovl1.only());
        assertEquals(2, e.icmp().type);
        assertEquals(1300, e.icmp().rest);
        assertTrue(e.icmpChecksumOk);
        assertTrue("fits in 1280", e.payloadLength + 40 <= 1280);
        assertEquals("2001:db8:1:0:0:0:0:1", e.src);
    }

    @Test
    public void forwardsIpv6DecrementingTheHopLimit() {
        unicast("ovl1", Wire.ipv6(ROUTER, VM1, "2001:db8:1::5", "2001:db8:2::7", 64, 58, Wire.echo6(1, 1, 20)));
        Wire.V6 ns = new Wire.V6(ovl2.only());
        assertEquals("a solicitation to the solicited-node group", "ff02:0:0:0:0:1:ff00:7", ns.dst);
        assertEquals(135, ns.icmp().type);
        assertTrue(ns.icmpChecksumOk);
        assertFalse(group("ovl2", Wire.ipv6(ROUTER, VM2, "2001:db8:2::7", "2001:db8:2::1", 255, 58, Wire.advertisement("2001:db8:2::7", VM2))));
        Wire.V6 out = new Wire.V6(ovl2.only());
        assertEquals(63, out.hopLimit);
        assertEquals(VM2, out.dstMac);
        assertTrue(out.icmpChecksumOk);
    }

    @Test
    public void hopLimitExceededInIpv6() {
        unicast("ovl1", Wire.ipv6(ROUTER, VM1, "2001:db8:1::5", "2001:db8:2::7", 1, 17, Wire.udp(1, 2, 4)));
        Wire.V6 e = new Wire.V6(ovl1.only());
        assertEquals(3, e.icmp().type);
        assertTrue(e.icmpChecksumOk);
    }

    @Test
    public void noRouteAndStaticRouteWithDiscardNexthop() {
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.9.9.9", 64, 17, false, Wire.udp(1, 2, 4)));
        Wire.Icmp e = new Wire.V4(ovl1.only()).icmp();
        assertEquals(3, e.type);
        assertEquals(0, e.code);
        assertEquals(1, count(RouterCounters.DROP_NO_ROUTE));

        router.apply(router.definition().withRoutes(List.of(RouterDefinition.RouteSpec.parse("10.9.0.0/16 blackhole"))));
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.9.9.9", 64, 17, false, Wire.udp(1, 2, 4)));
        assertTrue("silently", ovl1.take().isEmpty() && ovl2.take().isEmpty());
        assertEquals(1, count(RouterCounters.DROP_BLACKHOLE));
    }

    @Test
    public void staticRouteThroughANextHop() {
        searchPlugin.put("ovl2 10.2.0.254", VM2);
        router.apply(router.definition().withRoutes(List.of(RouterDefinition.RouteSpec.parse("0.0.0.0/0 via 10.2.0.254"))));
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "192.0.2.1", 64, 17, false, Wire.udp(1, 2, 4)));
        Wire.V4 out = new Wire.V4(ovl2.only());
        assertEquals(VM2, out.dstMac);
        assertEquals("192.0.2.1", out.dst);
    }

    @Test
    public void neverAnIcmpErrorAboutAnIcmpErrorOrAFragmentOrMulticast() {
        byte[] error = Wire.icmp(3, 1, 0, 0, 28);
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 1, 1, false, error));
        byte[] fragment = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 1, 17, false, Wire.udp(1, 2, 4));
        fragment[20] = 0x00;
        fragment[21] = 0x10; // offset 16 bytes
        Wire.put16(fragment, 24, 0);
        Wire.put16(fragment, 24, Wire.checksum(fragment, 14, 20, 0));
        unicast("ovl1", fragment);
        assertTrue(ovl1.take().isEmpty());
        assertEquals(2, count(RouterCounters.DROP_TTL_EXCEEDED));
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "224.0.0.9", 1, 17, false, Wire.udp(1, 2, 4)));
        assertTrue(ovl1.take().isEmpty());
    }

    @Test
    public void icmpErrorsAreRateLimited() {
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 1, 17, false, Wire.udp(1000, 33434, 10));
        for (int i = 0; i < 80; i++) {
            unicast("ovl1", in);
        }
        assertEquals(IcmpRateLimit.BURST, ovl1.take().size());
        assertEquals(30, count(RouterCounters.ICMP_RATE_LIMITED));
        now.addAndGet(10_000_000L); // 10 ms: 10 tokens back
        for (int i = 0; i < 20; i++) {
            unicast("ovl1", in);
        }
        assertEquals(10, ovl1.take().size());
    }

    @Test
    public void martiansAreNeverRouted() {
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "127.0.0.1", "10.2.0.7", 64, 17, false, Wire.udp(1, 2, 4)));
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "169.254.1.1", "10.2.0.7", 64, 17, false, Wire.udp(1, 2, 4)));
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "127.0.0.1", 64, 17, false, Wire.udp(1, 2, 4)));
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.255", 64, 17, false, Wire.udp(1, 2, 4)));
        unicast("ovl1", Wire.ipv6(ROUTER, VM1, "fe80::5", "2001:db8:2::7", 64, 17, Wire.udp(1, 2, 4)));
        assertTrue(ovl1.take().isEmpty() && ovl2.take().isEmpty());
        assertEquals(3, count(RouterCounters.DROP_MARTIAN_SOURCE));
        assertEquals(1, count(RouterCounters.DROP_MARTIAN_DESTINATION));
        assertEquals(1, count(RouterCounters.DROP_NOT_ROUTED_GROUP));
    }

    @Test
    public void dropUnknownEthTypeOnRouterPorts() {
        byte[] f = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 17, false, Wire.udp(1, 2, 4));
        Wire.put16(f, 12, 0x88B5);
        unicast("ovl1", f);
        assertEquals(1, count(RouterCounters.DROP_UNKNOWN_ETHERTYPE));
        assertTrue(ovl2.take().isEmpty());
    }

    @Test
    public void aCorruptHeaderIsDroppedAndCounted() {
        byte[] f = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 17, false, Wire.udp(1, 2, 4));
        f[22] = 65; // TTL changed, checksum not
        unicast("ovl1", f);
        unicast("ovl1", Arrays.copyOf(f, 20)); // truncated
        assertEquals(2, count(RouterCounters.DROP_MALFORMED_IP));
        assertTrue(ovl2.take().isEmpty() && ovl1.take().isEmpty());
    }

    @Test
    public void oneToOneNatTranslatesBothWaysWithTheTransportChecksums() {
        router.apply(router.definition().withNats(List.of(RouterDefinition.NatSpec.parse("10.2.0.100 10.1.0.5"))));
        searchPlugin.put("ovl1 10.1.0.5", VM1);
        searchPlugin.put("ovl2 10.2.0.50", VM2);
        // the outside asks who has the public address: the router, on the outside port only
        assertTrue(group("ovl2", Wire.arp(0xFFFF_FFFF_FFFFL, 1, VM2, "10.2.0.50", 0, "10.2.0.100")));
        assertEquals("10.2.0.100", Wire.text(Arrays.copyOfRange(ovl2.only(), 28, 32)));
        assertFalse(group("ovl1", Wire.arp(0xFFFF_FFFF_FFFFL, 1, VM1, "10.1.0.9", 0, "10.2.0.100")));
        assertTrue(ovl1.take().isEmpty());

        unicast("ovl2", Wire.ipv4(ROUTER, VM2, "10.2.0.50", "10.2.0.100", 64, 6, true, Wire.tcp("10.2.0.50", "10.2.0.100", 40000, 22, 33)));
        Wire.V4 in = new Wire.V4(ovl1.only());
        assertEquals("10.1.0.5", in.dst);
        assertEquals("10.2.0.50", in.src);
        assertTrue("IP header checksum", in.headerChecksumOk);
        assertTrue("TCP checksum over the new pseudo-header", in.transportChecksumOk());

        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.50", 64, 17, true, Wire.udp("10.1.0.5", "10.2.0.50", 53, 40000, 41, true)));
        Wire.V4 out = new Wire.V4(ovl2.only());
        assertEquals("leaves from the public address", "10.2.0.100", out.src);
        assertTrue(out.headerChecksumOk);
        assertTrue("UDP checksum over the new pseudo-header", out.transportChecksumOk());

        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.50", 64, 17, true, Wire.udp("10.1.0.5", "10.2.0.50", 53, 40000, 8, false)));
        byte[] f = ovl2.only();
        assertEquals("a UDP datagram without checksum keeps none", 0, Wire.u16(f, 34 + 6));
        assertEquals(3, count(RouterCounters.NAT_TRANSLATED));

        // not translated where it does not leave through the public address's port
        searchPlugin.put("ovl1 10.1.0.6", VM2);
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.1.0.6", 64, 17, true, Wire.udp("10.1.0.5", "10.1.0.6", 53, 40000, 8, true)));
        assertEquals("10.1.0.5", new Wire.V4(ovl1.only()).src);
    }

    @Test
    public void masqueradingTranslatesConnectionsBothWays() {
        router.apply(router.definition().withMasquerades(List.of(RouterDefinition.MasqueradeSpec.parse("10.1.0.0/24 10.2.0.1"))));
        searchPlugin.put("ovl1 10.1.0.5", VM1);
        searchPlugin.put("ovl2 10.2.0.50", VM2);
        byte[] syn = Wire.tcp("10.1.0.5", "10.2.0.50", 40000, 80, 0);
        syn[13] = 0x02;
        Wire.put16(syn, 16, 0);
        Wire.put16(syn, 16, Wire.checksum(syn, 0, syn.length, Wire.pseudo4(Wire.ip("10.1.0.5"), Wire.ip("10.2.0.50"), 6, syn.length)));
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.50", 64, 6, true, syn));
        Wire.V4 out = new Wire.V4(ovl2.only());
        assertEquals("10.2.0.1", out.src);
        int port = Wire.u16(out.payload, 0);
        assertEquals("the first port of the range", ConnTrack.FIRST_PORT, port);
        assertTrue(out.headerChecksumOk && out.transportChecksumOk());

        unicast("ovl2", Wire.ipv4(ROUTER, VM2, "10.2.0.50", "10.2.0.1", 64, 6, true, Wire.tcp("10.2.0.50", "10.2.0.1", 80, port, 10)));
        Wire.V4 back = new Wire.V4(ovl1.only());
        assertEquals("10.1.0.5", back.dst);
        assertEquals(40000, Wire.u16(back.payload, 2));
        assertTrue(back.headerChecksumOk && back.transportChecksumOk());

        // a ping: its identifier is the port
        unicast("ovl1", Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.50", 64, 1, false, Wire.icmp(8, 0, 77, 1, 16)));
        Wire.V4 ping = new Wire.V4(ovl2.only());
        Wire.Icmp request = ping.icmp();
        assertTrue(request.checksumOk);
        int id = (int) (request.rest >>> 16);
        assertEquals(ConnTrack.FIRST_PORT, id);
        unicast("ovl2", Wire.ipv4(ROUTER, VM2, "10.2.0.50", "10.2.0.1", 64, 1, false, Wire.icmp(0, 0, id, 1, 16)));
        Wire.Icmp reply = new Wire.V4(ovl1.only()).icmp();
        assertEquals(77, reply.rest >>> 16);
        assertTrue(reply.checksumOk);

        // unknown to the table: for the router itself (port unreachable), as before
        unicast("ovl2", Wire.ipv4(ROUTER, VM2, "10.2.0.50", "10.2.0.1", 64, 17, false, Wire.udp(53, 4444, 4)));
        assertEquals(3, new Wire.V4(ovl2.only()).icmp().type);
        assertEquals(2, router.conns.size());
        // a fragment cannot be translated
        byte[] frag = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.50", 64, 17, false, Wire.udp(1, 2, 4));
        frag[20] = 0x20; // MF
        Wire.put16(frag, 24, 0);
        Wire.put16(frag, 24, Wire.checksum(frag, 14, 20, 0));
        unicast("ovl1", frag);
        assertEquals(1, count(RouterCounters.DROP_NAT_UNTRANSLATABLE));
        assertTrue(ovl2.take().isEmpty());
    }

    @Test
    public void theForwardingPathAllocatesNothing() {
        searchPlugin.put("ovl2 10.2.0.7", VM2);
        byte[] in = Wire.ipv4(ROUTER, VM1, "10.1.0.5", "10.2.0.7", 64, 17, false, Wire.udp(1000, 2000, 100));
        unicast("ovl1", in);
        ovl2.take();
        ovl2.discard = true;
        ByteBuffer b = ByteBuffer.allocateDirect(2048);
        b.put(64, in);
        RouterPort p = port("ovl1");
        long allocated = Allocations.perCall(() -> p.receive(b, 64, in.length));
        assertTrue("allocated " + allocated + " bytes per packet", allocated == 0);
        assertTrue(ovl2.discarded > 100_000);
    }
}
