package org.overlaygate.varpd.proxy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.overlaygate.varpd.proxy.Fixtures.MAC_A;
import static org.overlaygate.varpd.proxy.Fixtures.MAC_B;
import static org.overlaygate.varpd.proxy.Fixtures.TCI;
import static org.overlaygate.varpd.proxy.Fixtures.fixChecksum;
import static org.overlaygate.varpd.proxy.Fixtures.frame;
import static org.overlaygate.varpd.proxy.Fixtures.ip;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.junit.Test;
import org.overlaygate.api.MacAddress;

/**
 * Every refusal, each from a real frame changed in one place (the ICMPv6 checksum made right again
 * where the change is not about it), untagged and tagged; truncation of every reference frame at
 * every length; and the refusals of the builders. One table, which must name every reason there is.
 */
public class RefusalTest {
    /** Offsets in the untagged reference frames: ARP and IPv6 payloads start after 14 octets. */
    private static final int ARP = 14;
    private static final int IP = 14;
    private static final int ICMP = IP + 40;
    private static final int OPTION = ICMP + 24;

    private record Case(String what, Supplier<Result<?>> run, String expected) {
    }

    private static final class Table {
        final List<Case> cases = new ArrayList<>();

        void add(String what, Supplier<Result<?>> run, String expected) {
            cases.add(new Case(what, run, expected));
        }

        /**
         * The frame is refused for {@code reason} by the dispatcher and by the family's parser, as it
         * is and (unless it is about the Ethernet header) with a tag inserted.
         */
        void frame(String what, byte[] frame, String reason) {
            List<byte[]> variants = new ArrayList<>(List.of(frame));
            if (!reason.startsWith("eth_")) {
                variants.add(Fixtures.tagged(frame, TCI));
            }
            for (byte[] f : variants) {
                String w = what + (f == frame ? "" : ", tagged") + " [" + Fixtures.hex(f) + "]";
                add(w, () -> ProxyFrames.parse(f), reason);
                if (reason.startsWith("arp_")) {
                    add(w + " (Arp.parse)", () -> Arp.parse(ByteBuffer.wrap(f)), reason);
                } else if (reason.startsWith("ns_")) {
                    add(w + " (Ndp.parse)", () -> Ndp.parse(ByteBuffer.wrap(f)), reason);
                }
            }
        }
    }

    private static byte[] arp(Consumer<byte[]> change) {
        byte[] f = frame("arp_request");
        change.accept(f);
        return f;
    }

    /** ns_request changed, with its checksum made right again. */
    private static byte[] ns(Consumer<byte[]> change) {
        return fixChecksum(nsKeepingChecksum(change));
    }

    private static byte[] nsKeepingChecksum(Consumer<byte[]> change) {
        byte[] f = frame("ns_request");
        change.accept(f);
        return f;
    }

    /** ns_request with another ICMPv6 message (payload length set, checksum right). */
    private static byte[] nsWithMessage(byte[] message) {
        byte[] f = Arrays.copyOf(frame("ns_request"), ICMP + message.length);
        System.arraycopy(message, 0, f, ICMP, message.length);
        f[IP + 4] = (byte) (message.length >>> 8);
        f[IP + 5] = (byte) message.length;
        return fixChecksum(f);
    }

    /** The solicitation's own message followed by extra octets (options). */
    private static byte[] nsWithExtra(byte[] extra) {
        byte[] message = Arrays.copyOfRange(frame("ns_request"), ICMP, 86);
        byte[] longer = Arrays.copyOf(message, message.length + extra.length);
        System.arraycopy(extra, 0, longer, message.length, extra.length);
        return nsWithMessage(longer);
    }

    private static void put(byte[] f, int at, InetAddress address) {
        byte[] a = address.getAddress();
        System.arraycopy(a, 0, f, at, a.length);
    }

    private static void putMac(byte[] f, int at, long mac) {
        MacAddress.write(f, at, mac);
    }

    private static AddressQuery parsed(String fixture) {
        return ProxyFrames.parse(frame(fixture)).value();
    }

    private static Table table() {
        Table t = new Table();

        // Ethernet
        t.frame("13 octets", Arrays.copyOf(frame("arp_request"), 13), Refusal.ETH_TRUNCATED);
        t.frame("tag without the ethertype after it", Arrays.copyOf(Fixtures.tagged(frame("arp_request"), TCI), 17),
                Refusal.ETH_TRUNCATED);
        byte[] sTag = Fixtures.tagged(frame("arp_request"), TCI);
        sTag[12] = (byte) 0x88;
        sTag[13] = (byte) 0xA8;
        t.frame("802.1ad service tag", sTag, Refusal.ETH_VLAN_UNSUPPORTED);
        t.frame("two 802.1Q tags", Fixtures.tagged(Fixtures.tagged(frame("arp_request"), TCI), 7), Refusal.ETH_VLAN_UNSUPPORTED);
        byte[] legacy = Fixtures.tagged(frame("ns_request"), TCI);
        legacy[12] = (byte) 0x91;
        t.frame("0x9100 tag", legacy, Refusal.ETH_VLAN_UNSUPPORTED);
        t.frame("multicast source", arp(f -> f[6] = 0x03), Refusal.ETH_SRC_GROUP);
        t.frame("broadcast source", arp(f -> putMac(f, 6, MacAddress.BROADCAST)), Refusal.ETH_SRC_GROUP);
        t.add("ARP parser given IPv6", () -> Arp.parse(ByteBuffer.wrap(frame("ns_request"))), Refusal.ETH_NOT_ARP);
        t.add("NDP parser given ARP", () -> Ndp.parse(ByteBuffer.wrap(frame("arp_request"))), Refusal.ETH_NOT_IPV6);
        t.frame("IPv4 ethertype", arp(f -> f[13] = 0x00), Refusal.ETH_NOT_ARP_OR_IPV6);

        // ARP
        t.frame("41 octets", Arrays.copyOf(frame("arp_request"), 41), Refusal.ARP_TRUNCATED);
        t.frame("htype 6 (IEEE 802)", arp(f -> f[ARP + 1] = 6), Refusal.ARP_BAD_HTYPE);
        t.frame("ptype 0x86dd", arp(f -> {
            f[ARP + 2] = (byte) 0x86;
            f[ARP + 3] = (byte) 0xDD;
        }), Refusal.ARP_BAD_PTYPE);
        t.frame("hlen 8", arp(f -> f[ARP + 4] = 8), Refusal.ARP_BAD_HLEN);
        t.frame("plen 16", arp(f -> f[ARP + 5] = 16), Refusal.ARP_BAD_PLEN);
        t.frame("the kernel's reply", frame("arp_reply"), Refusal.ARP_NOT_REQUEST);
        t.frame("RARP request (op 3)", arp(f -> f[ARP + 7] = 3), Refusal.ARP_NOT_REQUEST);
        t.frame("InARP request (op 8)", arp(f -> f[ARP + 7] = 8), Refusal.ARP_NOT_REQUEST);
        t.frame("zero sender MAC", arp(f -> putMac(f, ARP + 8, 0)), Refusal.ARP_BAD_SENDER_MAC);
        t.frame("broadcast sender MAC", arp(f -> putMac(f, ARP + 8, MacAddress.BROADCAST)), Refusal.ARP_BAD_SENDER_MAC);
        t.frame("multicast sender MAC", arp(f -> putMac(f, ARP + 8, 0x01_00_5e_00_00_01L)), Refusal.ARP_BAD_SENDER_MAC);
        for (String bad : new String[] {"224.0.0.1", "239.255.255.250", "255.255.255.255", "127.0.0.1"}) {
            t.frame("sender IP " + bad, arp(f -> put(f, ARP + 14, ip(bad))), Refusal.ARP_BAD_SENDER_IP);
        }
        for (String bad : new String[] {"0.0.0.0", "224.0.0.251", "255.255.255.255", "127.0.0.53"}) {
            t.frame("target IP " + bad, arp(f -> put(f, ARP + 24, ip(bad))), Refusal.ARP_BAD_TARGET_IP);
        }

        // Neighbour solicitation
        t.frame("39 octets of IPv6 header", Arrays.copyOf(frame("ns_request"), IP + 39), Refusal.NS_TRUNCATED);
        t.frame("payload shorter than its length", Arrays.copyOf(frame("ns_request"), 85), Refusal.NS_TRUNCATED);
        t.frame("version 4", ns(f -> f[IP] = 0x40), Refusal.NS_BAD_IP_VERSION);
        for (int header : new int[] {0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254}) {
            t.frame("next header " + header, ns(f -> f[IP + 6] = (byte) header), Refusal.NS_EXTENSION_HEADERS);
        }
        byte[] hopByHop = new byte[frame("ns_request").length + 8];
        System.arraycopy(frame("ns_request"), 0, hopByHop, 0, ICMP);
        System.arraycopy(new byte[] {58, 0, 1, 4, 0, 0, 0, 0}, 0, hopByHop, ICMP, 8); // next 58, PadN
        System.arraycopy(frame("ns_request"), ICMP, hopByHop, ICMP + 8, 32);
        hopByHop[IP + 5] = 40;
        hopByHop[IP + 6] = 0;
        t.frame("a real hop-by-hop header in front", hopByHop, Refusal.NS_EXTENSION_HEADERS);
        t.frame("UDP", ns(f -> f[IP + 6] = 17), Refusal.NS_NOT_ICMPV6);
        t.frame("no next header (59)", ns(f -> f[IP + 6] = 59), Refusal.NS_NOT_ICMPV6);
        t.frame("the kernel's advertisement", frame("na_solicited"), Refusal.NS_NOT_SOLICITATION);
        t.frame("echo request", ns(f -> f[ICMP] = (byte) 128), Refusal.NS_NOT_SOLICITATION);
        t.frame("router solicitation", ns(f -> f[ICMP] = (byte) 133), Refusal.NS_NOT_SOLICITATION);
        t.frame("message of 20 octets", nsWithMessage(Arrays.copyOfRange(frame("ns_request"), ICMP, ICMP + 20)), Refusal.NS_TOO_SHORT);
        t.frame("message of 0 octets", nsWithMessage(new byte[0]), Refusal.NS_TOO_SHORT);
        for (int hops : new int[] {0, 1, 64, 254}) {
            t.frame("hop limit " + hops, ns(f -> f[IP + 7] = (byte) hops), Refusal.NS_BAD_HOP_LIMIT);
        }
        t.frame("checksum off by one", nsKeepingChecksum(f -> f[ICMP + 3]++), Refusal.NS_BAD_CHECKSUM);
        t.frame("target changed, checksum not", nsKeepingChecksum(f -> f[ICMP + 23] = 3), Refusal.NS_BAD_CHECKSUM);
        t.frame("source changed, checksum not (the pseudo-header counts)", nsKeepingChecksum(f -> f[IP + 23] = 9),
                Refusal.NS_BAD_CHECKSUM);
        t.frame("zero checksum", nsKeepingChecksum(f -> f[ICMP + 2] = f[ICMP + 3] = 0), Refusal.NS_BAD_CHECKSUM);
        t.frame("code 1", ns(f -> f[ICMP + 1] = 1), Refusal.NS_BAD_CODE);
        t.frame("multicast source", ns(f -> put(f, IP + 8, ip("ff02::1"))), Refusal.NS_BAD_SOURCE);
        t.frame("loopback source", ns(f -> put(f, IP + 8, ip("::1"))), Refusal.NS_BAD_SOURCE);
        t.frame("multicast target", ns(f -> put(f, ICMP + 8, ip("ff02::1:ff00:2"))), Refusal.NS_MULTICAST_TARGET);
        t.frame("unspecified target", ns(f -> put(f, ICMP + 8, ip("::"))), Refusal.NS_BAD_TARGET);
        t.frame("loopback target", ns(f -> put(f, ICMP + 8, ip("::1"))), Refusal.NS_BAD_TARGET);
        t.frame("option of length 0", ns(f -> f[OPTION + 1] = 0), Refusal.NS_ZERO_LENGTH_OPTION);
        t.frame("unknown option of length 0 after the SLLA", nsWithExtra(Fixtures.hex("0e00000000000000")), Refusal.NS_ZERO_LENGTH_OPTION);
        t.frame("option longer than the message", ns(f -> f[OPTION + 1] = 2), Refusal.NS_OPTION_TRUNCATED);
        t.frame("one octet after the last option (odd length)", nsWithExtra(Fixtures.hex("01")), Refusal.NS_OPTION_TRUNCATED);
        t.frame("SLLA of 16 octets", nsWithMessage(withSlla16()), Refusal.NS_BAD_SLLA_LENGTH);
        t.frame("two SLLAs", nsWithExtra(Fixtures.hex("0101020000000b01")), Refusal.NS_DUPLICATE_SLLA);
        t.frame("two SLLAs, the same", nsWithExtra(Arrays.copyOfRange(frame("ns_request"), OPTION, OPTION + 8)), Refusal.NS_DUPLICATE_SLLA);
        t.frame("broadcast SLLA", ns(f -> putMac(f, OPTION + 2, MacAddress.BROADCAST)), Refusal.NS_BAD_SLLA);
        t.frame("zero SLLA", ns(f -> putMac(f, OPTION + 2, 0)), Refusal.NS_BAD_SLLA);
        t.frame("no options", nsWithMessage(Arrays.copyOfRange(frame("ns_request"), ICMP, OPTION)), Refusal.NS_MISSING_SLLA);
        t.frame("only an unknown option", ns(f -> f[OPTION] = 14), Refusal.NS_MISSING_SLLA);
        byte[] dadToAllNodes = frame("ns_dad");
        put(dadToAllNodes, IP + 24, ip("ff02::1"));
        t.frame("DAD to all-nodes", fixChecksum(dadToAllNodes), Refusal.NS_DAD_BAD_DESTINATION);
        byte[] dadUnicast = frame("ns_dad");
        put(dadUnicast, IP + 24, ip("fd00::2"));
        t.frame("DAD to the target itself", fixChecksum(dadUnicast), Refusal.NS_DAD_BAD_DESTINATION);
        byte[] dadWithSlla = frame("ns_dad");
        dadWithSlla[OPTION] = 1;
        putMac(dadWithSlla, OPTION + 2, MAC_A);
        t.frame("DAD with an SLLA", fixChecksum(dadWithSlla), Refusal.NS_DAD_WITH_SLLA);

        // Truncation of every reference frame at every length, untagged and tagged.
        for (String name : Fixtures.names()) {
            for (int tci : new int[] {AddressQuery.UNTAGGED, TCI}) {
                byte[] whole = frame(name, tci);
                int header = tci == AddressQuery.UNTAGGED ? 14 : 18;
                boolean arp = name.startsWith("arp_");
                for (int length = 0; length < whole.length; length++) {
                    String reason = length < header ? Refusal.ETH_TRUNCATED : arp ? Refusal.ARP_TRUNCATED : Refusal.NS_TRUNCATED;
                    byte[] cut = Arrays.copyOf(whole, length);
                    t.add(name + " (tci " + tci + ") cut to " + length, () -> ProxyFrames.parse(cut), reason);
                }
            }
        }

        // Building
        for (String fixture : new String[] {"arp_probe", "arp_gratuitous_kernel", "arp_gratuitous_arping", "arp_request_unicast",
                "ns_unicast", "ns_dad"}) {
            t.add("reply to " + fixture, () -> ProxyFrames.reply(parsed(fixture), MAC_B), Refusal.NOT_PROXIED);
        }
        for (QueryKind kind : QueryKind.values()) {
            if (!kind.proxied()) {
                ArpRequest arp = new ArpRequest(kind, AddressQuery.UNTAGGED, MAC_A, (Inet4Address) ip("10.0.0.1"), (Inet4Address) ip("10.0.0.2"));
                NeighborSolicitation ns = new NeighborSolicitation(kind, TCI, MAC_A, (Inet6Address) ip("fd00::1"),
                        (Inet6Address) ip("ff02::1:ff00:2"), (Inet6Address) ip("fd00::2"));
                t.add("ARP reply to a " + kind, () -> Arp.reply(arp, MAC_B), Refusal.NOT_PROXIED);
                t.add("NA to a " + kind, () -> Ndp.advertisement(ns, MAC_B), Refusal.NOT_PROXIED);
            }
        }
        for (String fixture : new String[] {"arp_request", "ns_request", "ns_ndisc6"}) {
            t.add("reply to " + fixture + " with the requester's MAC", () -> ProxyFrames.reply(parsed(fixture), MAC_A),
                    Refusal.ANSWER_IS_REQUESTER);
        }
        for (long bad : new long[] {0, MacAddress.BROADCAST, 0x01_00_5e_00_00_01L, 0x33_33_00_00_00_01L, 1L << 48, -1L}) {
            String mac = "0x" + Long.toHexString(bad);
            for (String fixture : new String[] {"arp_request", "ns_request"}) {
                t.add("reply to " + fixture + " with " + mac, () -> ProxyFrames.reply(parsed(fixture), bad), Refusal.BAD_MAC);
            }
            for (String address : new String[] {"10.0.0.1", "fd00::1"}) {
                t.add("announce " + address + " at " + mac, () -> ProxyFrames.announce(ip(address), bad, AddressQuery.UNTAGGED),
                        Refusal.BAD_MAC);
            }
        }
        for (String bad : new String[] {"0.0.0.0", "224.0.0.1", "255.255.255.255", "127.0.0.1", "::", "ff02::1", "::1"}) {
            t.add("announce " + bad, () -> ProxyFrames.announce(ip(bad), MAC_A, AddressQuery.UNTAGGED), Refusal.BAD_ADDRESS);
        }
        for (int bad : new int[] {-2, 0x10000, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            for (String address : new String[] {"10.0.0.1", "fd00::1"}) {
                t.add("announce " + address + " with tci " + bad, () -> ProxyFrames.announce(ip(address), MAC_A, bad), Refusal.BAD_TCI);
            }
        }
        return t;
    }

    /** The solicitation's message with its SLLA option grown to 16 octets (length 2). */
    private static byte[] withSlla16() {
        byte[] message = Arrays.copyOf(Arrays.copyOfRange(frame("ns_request"), ICMP, 86), 40);
        message[25] = 2;
        return message;
    }

    @Test
    public void eachCaseIsRefusedForItsReason() {
        List<String> wrong = new ArrayList<>();
        int count = 0;
        for (Case c : table().cases) {
            count++;
            Result<?> r;
            try {
                r = c.run.get();
            } catch (RuntimeException e) {
                wrong.add(c.what + ": threw " + e);
                continue;
            }
            if (r.ok() || !c.expected.equals(r.refusal())) {
                wrong.add(c.what + ": expected " + c.expected + ", got " + r);
            }
        }
        assertTrue(wrong.size() + " of " + count + " cases wrong:\n" + String.join("\n", wrong), wrong.isEmpty());
    }

    @Test
    public void everyReasonHasACase() throws IllegalAccessException {
        TreeSet<String> all = new TreeSet<>();
        for (Field f : Refusal.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                all.add((String) f.get(null));
            }
        }
        TreeSet<String> covered = new TreeSet<>();
        for (Case c : table().cases) {
            covered.add(c.expected);
        }
        assertEquals(all, covered);
        assertTrue("snake_case: " + all, all.stream().allMatch(r -> r.matches("[a-z0-9]+(_[a-z0-9]+)*")));
    }

    @Test
    public void recordsRefuseComponentsOutOfRange() {
        Inet4Address v4 = (Inet4Address) ip("10.0.0.1");
        Inet6Address v6 = (Inet6Address) ip("fd00::1");
        for (Runnable r : new Runnable[] {() -> new ArpRequest(QueryKind.RESOLUTION, 0x10000, MAC_A, v4, v4),
                () -> new ArpRequest(QueryKind.RESOLUTION, -2, MAC_A, v4, v4),
                () -> new ArpRequest(QueryKind.RESOLUTION, 0, 1L << 48, v4, v4),
                () -> new NeighborSolicitation(QueryKind.RESOLUTION, 0x10000, MAC_A, v6, v6, v6),
                () -> new NeighborSolicitation(QueryKind.RESOLUTION, 0, -1L, v6, v6, v6)}) {
            try {
                r.run();
                fail("accepted");
            } catch (IllegalArgumentException expected) {
                // as documented
            }
        }
    }
}
