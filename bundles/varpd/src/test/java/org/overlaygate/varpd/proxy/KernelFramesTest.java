package org.overlaygate.varpd.proxy;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.overlaygate.varpd.proxy.Fixtures.MAC_A;
import static org.overlaygate.varpd.proxy.Fixtures.MAC_A_MOVED;
import static org.overlaygate.varpd.proxy.Fixtures.MAC_B;
import static org.overlaygate.varpd.proxy.Fixtures.TCI;
import static org.overlaygate.varpd.proxy.Fixtures.fields;
import static org.overlaygate.varpd.proxy.Fixtures.frame;
import static org.overlaygate.varpd.proxy.Fixtures.ip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.Test;

/**
 * The codec against frames that real implementations sent (kernel-frames.txt): it takes the
 * kernel's and ndisc6's queries as the kernel does, classifies probes, announcements, NUD and DAD,
 * and the replies and announcements it builds are, field by field and then byte for byte, the ones
 * the kernel sent for the same question. Tagged variants carry the tag a VLAN device would insert.
 */
public class KernelFramesTest {
    private static final int[] TAGS = {AddressQuery.UNTAGGED, TCI};

    private static AddressQuery query(byte[] frame) {
        Result<AddressQuery> r = ProxyFrames.parse(frame);
        assertTrue(r.toString(), r.ok());
        return r.value();
    }

    /** My frame equals the kernel's: the fields first, for a readable difference, then every byte. */
    private static void assertSameFrame(String what, byte[] kernel, byte[] mine) {
        assertEquals(what, fields(kernel), fields(mine));
        assertArrayEquals(what, kernel, mine);
    }

    @Test
    public void takesTheKernelsArpRequest() {
        for (int tci : TAGS) {
            ArpRequest q = (ArpRequest) query(frame("arp_request", tci));
            assertEquals(QueryKind.RESOLUTION, q.kind());
            assertEquals(MAC_A, q.requesterMac());
            assertEquals(ip("10.0.0.1"), q.senderIp());
            assertEquals(ip("10.0.0.2"), q.target());
            assertEquals(tci, q.tci());
            assertEquals(tci == TCI ? 42 : -1, q.vlanId());
            assertEquals(tci == TCI, q.tagged());
        }
    }

    @Test
    public void arpReplyIsTheKernels() {
        for (int tci : TAGS) {
            Result<byte[]> mine = ProxyFrames.reply(query(frame("arp_request", tci)), MAC_B);
            assertTrue(mine.toString(), mine.ok());
            assertSameFrame("reply to arp_request, tci " + tci, frame("arp_reply", tci), mine.value());
        }
    }

    @Test
    public void takesTheKernelsAndNdisc6sSolicitations() {
        for (String name : new String[] {"ns_request", "ns_ndisc6"}) {
            for (int tci : TAGS) {
                byte[] frame = frame(name, tci);
                assertTrue(name + " carries a valid checksum (test-side routine)", Fixtures.icmpv6ChecksumValid(frame));
                NeighborSolicitation q = (NeighborSolicitation) query(frame);
                assertEquals(QueryKind.RESOLUTION, q.kind());
                assertEquals("from the source link-layer address option", MAC_A, q.requesterMac());
                assertEquals(ip("fd00::1"), q.source());
                assertEquals(ip("ff02::1:ff00:2"), q.destination());
                assertEquals(ip("fd00::2"), q.target());
                assertEquals(tci, q.tci());
            }
        }
    }

    @Test
    public void neighbourAdvertisementIsTheKernels() {
        // The kernel answers a multicast solicitation of its own address with R=0 (not forwarding),
        // S=1, O=1 and its MAC as target link-layer address: exactly what the proxy sends.
        for (String[] pair : new String[][] {{"ns_request", "na_solicited"}, {"ns_ndisc6", "na_ndisc6"}}) {
            for (int tci : TAGS) {
                Result<byte[]> mine = ProxyFrames.reply(query(frame(pair[0], tci)), MAC_B);
                assertTrue(mine.toString(), mine.ok());
                assertTrue(Fixtures.icmpv6ChecksumValid(mine.value()));
                assertSameFrame("answer to " + pair[0] + ", tci " + tci, frame(pair[1], tci), mine.value());
            }
        }
    }

    @Test
    public void gratuitousArpIsTheKernels() {
        for (int tci : TAGS) {
            Result<byte[]> mine = ProxyFrames.announce(ip("10.0.0.1"), MAC_A_MOVED, tci);
            assertTrue(mine.toString(), mine.ok());
            assertSameFrame("gratuitous ARP, tci " + tci, frame("arp_gratuitous_kernel", tci), mine.value());
            assertArrayEquals(mine.value(), Arp.announcement((Inet4Address) ip("10.0.0.1"), MAC_A_MOVED, tci).value());
        }
    }

    @Test
    public void unsolicitedAdvertisementIsTheKernels() {
        for (int tci : TAGS) {
            Result<byte[]> mine = ProxyFrames.announce(ip("fd00::1"), MAC_A_MOVED, tci);
            assertTrue(mine.toString(), mine.ok());
            assertSameFrame("unsolicited NA, tci " + tci, frame("na_unsolicited_kernel", tci), mine.value());
            // The kernel's defence of fd00::2 against A's DAD is the same message (RFC 4861 §7.2.4).
            assertSameFrame("DAD defence, tci " + tci, frame("na_dad_defence", tci),
                    Ndp.unsolicitedAdvertisement((Inet6Address) ip("fd00::2"), MAC_B, tci).value());
        }
    }

    @Test
    public void probesAreClassifiedAndNotAnswered() {
        for (int tci : TAGS) {
            ArpRequest q = (ArpRequest) query(frame("arp_probe", tci));
            assertEquals(QueryKind.PROBE, q.kind());
            assertEquals(ip("0.0.0.0"), q.senderIp());
            assertEquals(ip("10.0.0.2"), q.target());
            assertEquals(MAC_A, q.requesterMac());
            assertFalse(q.kind().proxied());
            // The owner (the kernel in B) answered it, in arp_probe_reply; the proxy leaves it to the owner.
            assertEquals(Refusal.NOT_PROXIED, ProxyFrames.reply(q, MAC_B).refusal());
        }
    }

    @Test
    public void gratuitousArpIsClassifiedAndNotAnswered() {
        for (String name : new String[] {"arp_gratuitous_kernel", "arp_gratuitous_arping"}) {
            for (int tci : TAGS) {
                ArpRequest q = (ArpRequest) query(frame(name, tci));
                assertEquals(name, QueryKind.ANNOUNCEMENT, q.kind());
                assertEquals(q.senderIp(), q.target());
                assertEquals(Refusal.NOT_PROXIED, ProxyFrames.reply(q, MAC_B).refusal());
            }
        }
        // arping -A announces in reply form: not a question at all.
        assertEquals(Refusal.ARP_NOT_REQUEST, ProxyFrames.parse(frame("arp_gratuitous_reply_arping")).refusal());
    }

    @Test
    public void reachabilityChecksAreClassifiedAndNotAnswered() {
        ArpRequest poll = (ArpRequest) query(frame("arp_request_unicast"));
        assertEquals(QueryKind.REACHABILITY, poll.kind());
        assertEquals(ip("10.0.0.2"), poll.target());
        assertEquals(Refusal.NOT_PROXIED, ProxyFrames.reply(poll, MAC_B).refusal());

        NeighborSolicitation nud = (NeighborSolicitation) query(frame("ns_unicast"));
        assertEquals(QueryKind.REACHABILITY, nud.kind());
        assertEquals(ip("fe80::a:1"), nud.source());
        assertEquals(ip("fd00::2"), nud.destination());
        assertEquals(MAC_A, nud.requesterMac());
        assertEquals(Refusal.NOT_PROXIED, ProxyFrames.reply(nud, MAC_B).refusal());
        // What the owner answers to NUD: S=1, O=0 and no target link-layer address (Linux for a unicast solicitation).
        assertEquals("0", fields(frame("na_unicast")).get("na.override"));
        assertFalse(fields(frame("na_unicast")).containsKey("nd.option.0"));
    }

    @Test
    public void dadIsClassifiedAndNotAnswered() {
        for (int tci : TAGS) {
            NeighborSolicitation q = (NeighborSolicitation) query(frame("ns_dad", tci));
            assertEquals(QueryKind.DAD, q.kind());
            assertEquals(ip("::"), q.source());
            assertEquals(ip("ff02::1:ff00:2"), q.destination());
            assertEquals(ip("fd00::2"), q.target());
            assertEquals("no option, so the Ethernet source", MAC_A, q.requesterMac());
            assertEquals(Refusal.NOT_PROXIED, ProxyFrames.reply(q, MAC_B).refusal());
        }
        // The kernel's DAD solicitation carries the nonce option of RFC 7527, which is skipped.
        assertTrue(fields(frame("ns_dad")).get("nd.option.0").startsWith("type 14 length 8 "));
    }

    @Test
    public void answersAreNotQuestions() {
        for (String name : new String[] {"arp_reply", "arp_probe_reply", "arp_reply_unicast"}) {
            assertEquals(name, Refusal.ARP_NOT_REQUEST, ProxyFrames.parse(frame(name)).refusal());
        }
        for (String name : new String[] {"na_solicited", "na_ndisc6", "na_unicast", "na_dad_defence", "na_unsolicited_kernel"}) {
            assertTrue(name + " checksum", Fixtures.icmpv6ChecksumValid(frame(name)));
            assertEquals(name, Refusal.NS_NOT_SOLICITATION, ProxyFrames.parse(frame(name)).refusal());
        }
    }

    @Test
    public void neverAnswersTheRequesterWithItsOwnMac() {
        assertEquals(Refusal.ANSWER_IS_REQUESTER, ProxyFrames.reply(query(frame("arp_request")), MAC_A).refusal());
        assertEquals(Refusal.ANSWER_IS_REQUESTER, ProxyFrames.reply(query(frame("ns_request")), MAC_A).refusal());
    }

    @Test
    public void theFamilyParsersAgreeWithTheDispatcher() {
        for (String name : Fixtures.names()) {
            byte[] f = frame(name);
            Result<AddressQuery> any = ProxyFrames.parse(f);
            boolean arp = f[12] == 0x08 && f[13] == 0x06;
            Result<?> family = arp ? Arp.parse(ByteBuffer.wrap(f)) : Ndp.parse(ByteBuffer.wrap(f));
            assertEquals(name, any.toString(), family.toString());
            assertEquals(name, arp ? Refusal.ETH_NOT_IPV6 : Refusal.ETH_NOT_ARP,
                    (arp ? Ndp.parse(ByteBuffer.wrap(f)) : Arp.parse(ByteBuffer.wrap(f))).refusal());
        }
    }

    /** Position and limit bound the frame, are left as they were, and byte order and kind of buffer do not matter. */
    @Test
    public void readsBetweenPositionAndLimitWhateverTheBuffer() {
        for (String name : Fixtures.names()) {
            byte[] f = frame(name);
            String expected = ProxyFrames.parse(f).toString();
            for (boolean direct : new boolean[] {false, true}) {
                for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                    ByteBuffer b = direct ? ByteBuffer.allocateDirect(f.length + 20) : ByteBuffer.allocate(f.length + 20);
                    for (int i = 0; i < b.capacity(); i++) {
                        b.put(i, (byte) 0xA5);
                    }
                    b.position(7);
                    b.put(f);
                    b.limit(7 + f.length).position(7);
                    b.order(order);
                    for (ByteBuffer buffer : new ByteBuffer[] {b, b.asReadOnlyBuffer().order(order)}) {
                        assertEquals(name, expected, ProxyFrames.parse(buffer).toString());
                        assertEquals(7, buffer.position());
                        assertEquals(7 + f.length, buffer.limit());
                        assertEquals(order, buffer.order());
                    }
                }
            }
            assertArrayEquals("the frame is not changed", frame(name), f);
        }
    }
}
