package org.overlaygate.varpd.dhcp;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.varpd.dhcp.ClientFrames.BROADCAST_MAC;
import static org.overlaygate.varpd.dhcp.ClientFrames.ip;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Before;
import org.junit.Test;
import org.overlaygate.api.search.DhcpHint;
import org.overlaygate.testsupport.RecordingPort;

/**
 * The server as a VM meets it, frame in and frame out, after OVN's "dhcpv4 : 1 HV, 2 LS, 2
 * LSPs/LS" cases: DISCOVER gets an OFFER with every option, REQUEST an ACK, a wrong requested
 * address a NAK, renewals unicast and broadcast, INFORM an ACK without a lease time, invalid
 * packets no answer at all (counted). On an injected clock; the DHCP thread is the caller's.
 */
public class DhcpServerTest {
    static final long VM = 0x0200_0000_0A01L;
    static final long VM2 = 0x0200_0000_0A02L;
    static final long SERVER_MAC = DhcpService.serverMac(42, DhcpConfig.NO_VLAN);

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    /** What the server sent through its port. */
    List<byte[]> sent;
    final Map<String, Integer> events = new HashMap<>();
    DhcpHint hint = DhcpHint.NONE;
    /** The search plugin's address mappings (katar's VL3, files' arp): address to MAC. */
    final Map<Integer, Long> mapped = new HashMap<>();
    int gateway;
    int writes;
    DhcpServer server;
    LeaseTable table;

    static DhcpConfig config(String... kv) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return DhcpConfig.parse(p);
    }

    DhcpServer server(Scope scope) {
        table = scope == null ? null : new LeaseTable(scope, now::get);
        DhcpServer s = new DhcpServer("dhcp.t", scope == null ? DhcpConfig.NO_VLAN : scope.vlan, SERVER_MAC, table, Runnable::run,
                new DhcpServer.Backend() {
                    @Override
                    public CompletionStage<DhcpHint> hint(long mac, int vlan) {
                        return CompletableFuture.completedFuture(hint);
                    }

                    @Override
                    public CompletionStage<Long> ownerOf(int address, int vlan) {
                        return CompletableFuture.completedFuture(mapped.getOrDefault(address, 0L));
                    }

                    @Override
                    public int gateway(int vlan) {
                        return gateway;
                    }

                    @Override
                    public int mtu() {
                        return 1450;
                    }

                    @Override
                    public void count(String event) {
                        events.merge(event, 1, Integer::sum);
                    }

                    @Override
                    public void leasesChanged() {
                        writes++;
                    }
                });
        RecordingPort port = new RecordingPort("dhcp.t", SERVER_MAC, -1, s, null, () -> { });
        s.attached(port);
        sent = port.sent;
        return s;
    }

    @Before
    public void setUp() {
        server = server(config("dhcp/subnet", "10.1.0.0/24", "dhcp/range", "10.1.0.100-10.1.0.102", "dhcp/router", "10.1.0.1",
                "dhcp/dns", "10.1.0.53,10.1.0.54", "dhcp/domain", "tenant.example", "dhcp/lease", "600").scopes().get(DhcpConfig.NO_VLAN));
    }

    /** The client's broadcast, as the data path hands it over; whether it was taken off the wire. */
    boolean broadcast(byte[] f) {
        return server.receiveGroup(ByteBuffer.wrap(f), 0, f.length, false);
    }

    ClientFrames.Reply only() {
        assertEquals("one reply", 1, sent.size());
        byte[] f = sent.remove(0);
        assertTrue("checksums", ClientFrames.checksumsValid(f));
        ClientFrames.Reply r = ClientFrames.parse(f);
        assertEquals(SERVER_MAC, r.srcMac);
        assertEquals(ip("10.1.0.254"), r.srcIp);
        assertEquals(67, r.srcPort);
        assertEquals(68, r.dstPort);
        assertEquals(2, r.op);
        return r;
    }

    ClientFrames.Reply discover(long mac) {
        assertTrue(broadcast(new ClientFrames(DhcpMessage.DISCOVER, mac).build()));
        return only();
    }

    ClientFrames.Reply select(long mac, int address) {
        ClientFrames c = new ClientFrames(DhcpMessage.REQUEST, mac);
        c.requested = address;
        c.serverId = ip("10.1.0.254");
        assertTrue(broadcast(c.build()));
        return only();
    }

    @Test
    public void discoverGetsAnOfferWithEveryOption() {
        ClientFrames.Reply offer = discover(VM);
        assertEquals(DhcpMessage.OFFER, offer.type());
        assertEquals(ip("10.1.0.100"), offer.yiaddr);
        assertEquals("unicast to the client, which has no address yet", VM, offer.dstMac);
        assertEquals(ip("10.1.0.100"), offer.dstIp);
        assertEquals(0x1234_5678, offer.xid);
        assertEquals(VM, offer.chaddr);
        assertEquals(ip("10.1.0.254"), offer.optionInt(54));
        assertEquals(600, offer.optionInt(51));
        assertEquals(ip("255.255.255.0"), offer.optionInt(1));
        assertEquals(ip("10.1.0.1"), offer.optionInt(3));
        assertArrayEquals(new byte[] {10, 1, 0, 53, 10, 1, 0, 54}, offer.options.get(6));
        assertEquals("tenant.example", new String(offer.options.get(15), java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals("the overlay's MTU", new byte[] {0x05, (byte) 0xAA}, offer.options.get(26));
        assertArrayEquals("the default route, since option 121 overrides option 3", new byte[] {0, 10, 1, 0, 1}, offer.options.get(121));
        assertEquals(Integer.valueOf(1), events.get(DhcpEvents.OFFERS));
        assertEquals("an offer is not kept", 0, writes);
    }

    @Test
    public void requestForTheOfferedAddressIsAcknowledgedAndKept() {
        int offered = discover(VM).yiaddr;
        ClientFrames.Reply ack = select(VM, offered);
        assertEquals(DhcpMessage.ACK, ack.type());
        assertEquals(offered, ack.yiaddr);
        assertEquals(600, ack.optionInt(51));
        assertEquals(1, writes);
        assertEquals(LeaseTable.State.BOUND, table.leases().get(0).state);
    }

    @Test
    public void aWrongRequestedAddressIsRefusedWithANak() {
        discover(VM);
        ClientFrames.Reply nak = select(VM, ip("10.1.0.7"));
        assertEquals(DhcpMessage.NAK, nak.type());
        assertEquals("a NAK is broadcast", BROADCAST_MAC, nak.dstMac);
        assertEquals(0xFFFFFFFF, nak.dstIp);
        assertEquals(0, nak.yiaddr);
        assertNull("no lease time in a NAK", nak.options.get(51));
        assertEquals(Integer.valueOf(1), events.get(DhcpEvents.NAKS));

        ClientFrames reboot = new ClientFrames(DhcpMessage.REQUEST, VM2); // INIT-REBOOT with an address of another network
        reboot.requested = ip("192.168.7.7");
        broadcast(reboot.build());
        assertEquals(DhcpMessage.NAK, only().type());
    }

    @Test
    public void anAddressAnotherClientHoldsIsRefused() {
        int taken = select(VM, discover(VM).yiaddr).yiaddr;
        ClientFrames c = new ClientFrames(DhcpMessage.REQUEST, VM2);
        c.requested = taken;
        broadcast(c.build());
        assertEquals(DhcpMessage.NAK, only().type());
    }

    @Test
    public void renewalsUnicastAndBroadcastAreAcknowledgedToTheClientsAddress() {
        int a = select(VM, discover(VM).yiaddr).yiaddr;
        now.addAndGet(300_000);
        ClientFrames renew = new ClientFrames(DhcpMessage.REQUEST, VM); // RENEWING: unicast to the server, ciaddr set
        renew.ciaddr = a;
        renew.srcIp = a;
        renew.dstIp = ip("10.1.0.254");
        renew.dstMac = SERVER_MAC;
        byte[] f = renew.build();
        server.receive(ByteBuffer.wrap(f), 0, f.length);
        ClientFrames.Reply ack = only();
        assertEquals(DhcpMessage.ACK, ack.type());
        assertEquals(a, ack.yiaddr);
        assertEquals(a, ack.ciaddr);
        assertEquals("to ciaddr", a, ack.dstIp);
        assertEquals(VM, ack.dstMac);
        LeaseTable.Lease l = table.leases().get(0);
        assertEquals("extended from the renewal", now.get() + 600_000, l.expires);

        ClientFrames rebind = new ClientFrames(DhcpMessage.REQUEST, VM); // REBINDING: broadcast, ciaddr set
        rebind.ciaddr = a;
        rebind.srcIp = a;
        assertTrue(broadcast(rebind.build()));
        assertEquals(DhcpMessage.ACK, only().type());
    }

    @Test
    public void theBroadcastFlagMakesTheReplyBroadcast() {
        ClientFrames c = new ClientFrames(DhcpMessage.DISCOVER, VM);
        c.broadcastFlag = true;
        broadcast(c.build());
        ClientFrames.Reply offer = only();
        assertEquals(BROADCAST_MAC, offer.dstMac);
        assertEquals(0xFFFFFFFF, offer.dstIp);
        assertEquals(0x8000, offer.flags);
    }

    @Test
    public void informGetsTheOptionsWithoutALeaseTime() {
        ClientFrames c = new ClientFrames(DhcpMessage.INFORM, VM);
        c.ciaddr = ip("10.1.0.9");
        c.srcIp = ip("10.1.0.9");
        broadcast(c.build());
        ClientFrames.Reply ack = only();
        assertEquals(DhcpMessage.ACK, ack.type());
        assertEquals(0, ack.yiaddr);
        assertEquals(ip("10.1.0.9"), ack.dstIp);
        assertNull(ack.options.get(51));
        assertEquals(ip("10.1.0.1"), ack.optionInt(3));
        assertEquals("no lease taken", 0, table.leases().size());
    }

    @Test
    public void releaseFreesAndDeclineSetsAside() {
        int a = select(VM, discover(VM).yiaddr).yiaddr;
        ClientFrames release = new ClientFrames(DhcpMessage.RELEASE, VM);
        release.ciaddr = a;
        release.srcIp = a;
        release.dstIp = ip("10.1.0.254");
        release.dstMac = SERVER_MAC;
        byte[] f = release.build();
        server.receive(ByteBuffer.wrap(f), 0, f.length);
        assertEquals("no answer to a release", 0, sent.size());
        assertEquals(LeaseTable.State.RELEASED, table.leases().get(0).state);

        int b = select(VM2, discover(VM2).yiaddr).yiaddr;
        ClientFrames decline = new ClientFrames(DhcpMessage.DECLINE, VM2);
        decline.requested = b;
        decline.serverId = ip("10.1.0.254");
        broadcast(decline.build());
        assertEquals(0, sent.size());
        assertEquals(Integer.valueOf(1), events.get(DhcpEvents.DECLINES));
        int next = discover(VM2).yiaddr;
        assertTrue("the declined address is given to nobody", next != b);
    }

    @Test
    public void invalidPacketsAreNeverAnsweredAndCounted() {
        List<byte[]> bad = new ArrayList<>();
        ClientFrames c = new ClientFrames(DhcpMessage.DISCOVER, VM);
        c.op = 2; // a server's message
        bad.add(c.build());
        c = new ClientFrames(DhcpMessage.DISCOVER, VM);
        c.magic = false;
        bad.add(c.build());
        c = new ClientFrames(0, VM); // no message type
        bad.add(c.build());
        c = new ClientFrames(DhcpMessage.OFFER, VM); // a server's type
        bad.add(c.build());
        c = new ClientFrames(DhcpMessage.DISCOVER, VM);
        c.end = false;
        bad.add(c.build());
        byte[] good = new ClientFrames(DhcpMessage.DISCOVER, VM).build();
        byte[] corrupted = good.clone();
        corrupted[100] ^= 1; // UDP checksum no longer right
        bad.add(corrupted);
        for (int cut : new int[] {20, 41, 60, 200, 280}) {
            bad.add(java.util.Arrays.copyOf(good, cut)); // truncated: the IP and UDP lengths say more
        }
        for (byte[] f : bad) {
            broadcast(f);
        }
        assertEquals("nothing answered", 0, sent.size());
        int malformed = events.getOrDefault(DhcpEvents.MALFORMED, 0);
        assertEquals("every one that looked like DHCP is counted", bad.size() - 2, malformed); // cut at 20 and 41: not even UDP to 67
        assertEquals(0, table.leases().size());
    }

    @Test
    public void messagesFromOtherHostsAreLeftToTheirAppliance() {
        byte[] f = new ClientFrames(DhcpMessage.DISCOVER, VM).build();
        assertFalse(server.receiveGroup(ByteBuffer.wrap(f), 0, f.length, true));
        assertEquals(0, sent.size());
    }

    @Test
    public void aRequestForAnotherServerWithdrawsTheOffer() {
        int offered = discover(VM).yiaddr;
        ClientFrames c = new ClientFrames(DhcpMessage.REQUEST, VM);
        c.requested = ip("10.1.0.200");
        c.serverId = ip("10.1.0.2");
        broadcast(c.build());
        assertEquals(0, sent.size());
        assertEquals(Integer.valueOf(1), events.get(DhcpEvents.OTHER_SERVER));
        assertEquals(offered, discover(VM2).yiaddr);
    }

    @Test
    public void theServerAnswersArpForItsAddressAndNothingElse() {
        byte[] arp = org.overlaygate.testsupport.Frames.arpRequest(VM, "10.1.0.100", "10.1.0.254");
        assertTrue(server.receiveGroup(ByteBuffer.wrap(arp), 0, arp.length, false));
        ByteBuffer reply = ByteBuffer.wrap(sent.remove(0));
        assertEquals("to the asker", VM, DhcpMessage.mac(reply, 0));
        assertEquals(SERVER_MAC, DhcpMessage.mac(reply, 6));
        assertEquals(0x0806, reply.getShort(12));
        assertEquals("a reply", 2, reply.getShort(20));
        assertEquals(SERVER_MAC, DhcpMessage.mac(reply, 22));
        assertEquals(ip("10.1.0.254"), reply.getInt(28));
        assertEquals(VM, DhcpMessage.mac(reply, 32));
        assertEquals(ip("10.1.0.100"), reply.getInt(38));
        byte[] other = org.overlaygate.testsupport.Frames.arpRequest(VM, "10.1.0.100", "10.1.0.1");
        assertFalse(server.receiveGroup(ByteBuffer.wrap(other), 0, other.length, false));
    }

    @Test
    public void reservationsWinAndTheGatewayDefaultsToTheRouters() {
        server = server(config("dhcp/subnet", "10.1.0.0/24", "dhcp/range", "10.1.0.100-10.1.0.102", "dhcp/reserve",
                "02:00:00:00:0a:01=10.1.0.20").scopes().get(DhcpConfig.NO_VLAN));
        gateway = ip("10.1.0.1");
        ClientFrames.Reply offer = discover(VM);
        assertEquals(ip("10.1.0.20"), offer.yiaddr);
        assertEquals("the router attached to the overlay", ip("10.1.0.1"), offer.optionInt(3));
        hint = new DhcpHint((java.net.Inet4Address) org.overlaygate.testsupport.Frames.ip("10.1.0.30"), 0);
        assertEquals("the search plugin's reservation", ip("10.1.0.30"), discover(VM2).yiaddr);
        assertEquals(DhcpMessage.NAK, select(VM2, ip("10.1.0.100")).type());
        assertEquals(DhcpMessage.ACK, select(VM2, ip("10.1.0.30")).type());
    }

    @Test
    public void anAddressTheSearchPluginMapsToTheClientIsItsReservation() {
        mapped.put(ip("10.1.0.40"), VM); // a katar VL3 mapping, outside the range
        ClientFrames reboot = new ClientFrames(DhcpMessage.REQUEST, VM);
        reboot.requested = ip("10.1.0.40");
        broadcast(reboot.build());
        ClientFrames.Reply ack = only();
        assertEquals(DhcpMessage.ACK, ack.type());
        assertEquals(ip("10.1.0.40"), ack.yiaddr);
        ClientFrames other = new ClientFrames(DhcpMessage.REQUEST, VM2);
        other.requested = ip("10.1.0.40");
        broadcast(other.build());
        assertEquals("not VM2's: outside the pool and mapped to another MAC", DhcpMessage.NAK, only().type());
    }

    @Test
    public void thePoolIsBoundedAndExhaustionCounted() {
        for (long m = 1; m <= 3; m++) {
            assertEquals(DhcpMessage.OFFER, discover(0x0200_0000_1000L + m).type());
        }
        assertTrue(broadcast(new ClientFrames(DhcpMessage.DISCOVER, 0x0200_0000_2000L).build()));
        assertEquals(0, sent.size());
        assertEquals(Integer.valueOf(1), events.get(DhcpEvents.POOL_EXHAUSTED));
        now.addAndGet(LeaseTable.OFFER_HOLD_MS + 1);
        assertEquals("offers not taken up are freed", DhcpMessage.OFFER, discover(0x0200_0000_2000L).type());
    }

    @Test
    public void proxyModeSendsTheBroadcastToTheNamedServerAsUnicast() {
        server = server(null);
        long dnsmasq = 0x0200_0000_0D0DL;
        hint = new DhcpHint(null, dnsmasq);
        byte[] f = new ClientFrames(DhcpMessage.DISCOVER, VM).build();
        assertTrue(broadcast(f));
        byte[] proxied = sent.remove(0);
        assertEquals(dnsmasq, ClientFrames.parse(proxied).dstMac);
        assertArrayEquals("otherwise unchanged", java.util.Arrays.copyOfRange(f, 6, f.length), java.util.Arrays.copyOfRange(proxied, 6, f.length));
        hint = DhcpHint.NONE;
        assertTrue(broadcast(f));
        assertEquals("a client without a proxy is dropped, as illumos does", 0, sent.size());
        assertEquals(Integer.valueOf(1), events.get(DhcpEvents.NO_PROXY));
    }
}
