package org.overlaygate.varpd.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.overlaygate.testsupport.Frames;

/**
 * The reference frames of kernel-frames.txt (captured from the Linux kernel, arping and ndisc6 by
 * capture-kernel-frames.sh, both beside it in the test resources), and test-side tools that share
 * nothing with the code under test: tag insertion, an ICMPv6 checksum written out plainly, and a
 * decoder of the fields that matter.
 */
final class Fixtures {
    /** vethA in namespace A of the capture. */
    static final long MAC_A = 0x02_00_00_00_0a_01L;
    /** vethB in namespace B. */
    static final long MAC_B = 0x02_00_00_00_0b_01L;
    /** vethA after its MAC changed (the announcements). */
    static final long MAC_A_MOVED = 0x02_00_00_00_0a_02L;
    /** PCP 5, DEI 0, VLAN 42: the tag put on the tagged variants. */
    static final int TCI = 0xA02A;

    private static final Map<String, byte[]> FRAMES = load();

    private Fixtures() {
    }

    private static Map<String, byte[]> load() {
        Map<String, byte[]> frames = new LinkedHashMap<>();
        try (InputStream in = Fixtures.class.getResourceAsStream("kernel-frames.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null;) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                if (parts.length != 2 || frames.put(parts[0], hex(parts[1])) != null) {
                    throw new IllegalStateException("bad fixture line: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(frames);
    }

    /** A fresh copy of the named reference frame. */
    static byte[] frame(String name) {
        byte[] f = FRAMES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        return f.clone();
    }

    /** The named frame, with an 802.1Q tag unless {@code tci} is {@link AddressQuery#UNTAGGED}. */
    static byte[] frame(String name, int tci) {
        return tci == AddressQuery.UNTAGGED ? frame(name) : tagged(frame(name), tci);
    }

    static Iterable<String> names() {
        return FRAMES.keySet();
    }

    /**
     * The frame with an 802.1Q tag inserted after the source MAC, as a Linux VLAN device inserts
     * it (vlan_insert_tag): nothing else in the frame changes, and the ICMPv6 checksum does not
     * cover the Ethernet header.
     */
    static byte[] tagged(byte[] frame, int tci) {
        byte[] out = new byte[frame.length + 4];
        System.arraycopy(frame, 0, out, 0, 12);
        out[12] = (byte) 0x81;
        out[13] = 0x00;
        out[14] = (byte) (tci >>> 8);
        out[15] = (byte) tci;
        System.arraycopy(frame, 12, out, 16, frame.length - 12);
        return out;
    }

    static byte[] hex(String hex) {
        return Frames.fromHex(hex);
    }

    static String hex(byte[] bytes) {
        return Frames.hex(bytes);
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** Where the IPv6 header starts: after 14 octets, or 18 with a tag. */
    static int ipOffset(byte[] frame) {
        return (frame[12] & 0xFF) == 0x81 && frame[13] == 0 ? 18 : 14;
    }

    /**
     * The ICMPv6 checksum the frame should carry, computed plainly: the pseudo-header (source,
     * destination, 32-bit length, three zero octets, next header 58) and the message with its
     * checksum field zeroed, laid out in one array and summed as 16-bit words.
     */
    static int icmpv6Checksum(byte[] frame) {
        int ip = ipOffset(frame);
        int length = ((frame[ip + 4] & 0xFF) << 8) | (frame[ip + 5] & 0xFF);
        byte[] pseudo = new byte[40 + length];
        System.arraycopy(frame, ip + 8, pseudo, 0, 32);
        pseudo[32] = (byte) (length >>> 24);
        pseudo[33] = (byte) (length >>> 16);
        pseudo[34] = (byte) (length >>> 8);
        pseudo[35] = (byte) length;
        pseudo[39] = 58;
        System.arraycopy(frame, ip + 40, pseudo, 40, length);
        pseudo[42] = 0;
        pseudo[43] = 0;
        int sum = 0;
        for (int i = 0; i < pseudo.length; i += 2) {
            int high = pseudo[i] & 0xFF;
            int low = i + 1 < pseudo.length ? pseudo[i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    /** True when the frame holds, as its payload length says, a whole ICMPv6 message of 4 octets or more. */
    static boolean holdsIcmpv6(byte[] frame) {
        if (frame.length < 14 || frame.length < ipOffset(frame) + 40) {
            return false;
        }
        int ip = ipOffset(frame);
        int length = ((frame[ip + 4] & 0xFF) << 8) | (frame[ip + 5] & 0xFF);
        return length >= 4 && ip + 40 + length <= frame.length;
    }

    /** True when the frame's ICMPv6 checksum is right (0 and 0xFFFF both stand for a zero sum). */
    static boolean icmpv6ChecksumValid(byte[] frame) {
        if (!holdsIcmpv6(frame)) {
            return false;
        }
        int ip = ipOffset(frame);
        int stored = ((frame[ip + 42] & 0xFF) << 8) | (frame[ip + 43] & 0xFF);
        int computed = icmpv6Checksum(frame);
        return stored == computed || (computed == 0 && stored == 0xFFFF);
    }

    /** Puts the right ICMPv6 checksum into a frame that was changed on purpose (if it holds a message). */
    static byte[] fixChecksum(byte[] frame) {
        if (!holdsIcmpv6(frame)) {
            return frame;
        }
        int ip = ipOffset(frame);
        int sum = icmpv6Checksum(frame);
        frame[ip + 42] = (byte) (sum >>> 8);
        frame[ip + 43] = (byte) sum;
        return frame;
    }

    /**
     * The fields of an ARP or ICMPv6 neighbour discovery frame that a comparison with the kernel
     * must look at, decoded without the code under test, in a map whose differences read well.
     */
    static Map<String, String> fields(byte[] frame) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("frame.length", Integer.toString(frame.length));
        m.put("eth.dst", mac(frame, 0));
        m.put("eth.src", mac(frame, 6));
        int at = 12;
        if ((frame[12] & 0xFF) == 0x81 && frame[13] == 0) {
            m.put("vlan.tci", String.format("0x%04x", u16(frame, 14)));
            at = 16;
        }
        int type = u16(frame, at);
        m.put("eth.type", String.format("0x%04x", type));
        int p = at + 2;
        if (type == 0x0806) {
            m.put("arp.htype", Integer.toString(u16(frame, p)));
            m.put("arp.ptype", String.format("0x%04x", u16(frame, p + 2)));
            m.put("arp.hlen", Integer.toString(frame[p + 4] & 0xFF));
            m.put("arp.plen", Integer.toString(frame[p + 5] & 0xFF));
            m.put("arp.op", Integer.toString(u16(frame, p + 6)));
            m.put("arp.sha", mac(frame, p + 8));
            m.put("arp.spa", address(frame, p + 14, 4));
            m.put("arp.tha", mac(frame, p + 18));
            m.put("arp.tpa", address(frame, p + 24, 4));
        } else if (type == 0x86DD) {
            m.put("ip6.version", Integer.toString((frame[p] & 0xFF) >>> 4));
            m.put("ip6.traffic_class", Integer.toString((u16(frame, p) >>> 4) & 0xFF));
            m.put("ip6.flow_label", String.format("0x%05x", ((frame[p + 1] & 0x0F) << 16) | u16(frame, p + 2)));
            m.put("ip6.payload_length", Integer.toString(u16(frame, p + 4)));
            m.put("ip6.next_header", Integer.toString(frame[p + 6] & 0xFF));
            m.put("ip6.hop_limit", Integer.toString(frame[p + 7] & 0xFF));
            m.put("ip6.src", address(frame, p + 8, 16));
            m.put("ip6.dst", address(frame, p + 24, 16));
            int icmp = p + 40;
            int type6 = frame[icmp] & 0xFF;
            m.put("icmp6.type", Integer.toString(type6));
            m.put("icmp6.code", Integer.toString(frame[icmp + 1] & 0xFF));
            m.put("icmp6.checksum", icmpv6ChecksumValid(frame) ? "valid" : "INVALID");
            int flags = frame[icmp + 4] & 0xFF;
            if (type6 == 136) {
                m.put("na.router", Integer.toString(flags >>> 7 & 1));
                m.put("na.solicited", Integer.toString(flags >>> 6 & 1));
                m.put("na.override", Integer.toString(flags >>> 5 & 1));
            }
            m.put("nd.reserved", String.format("0x%08x", ((flags & (type6 == 136 ? 0x1F : 0xFF)) << 24) | (u16(frame, icmp + 5) << 8)
                    | (frame[icmp + 7] & 0xFF)));
            m.put("nd.target", address(frame, icmp + 8, 16));
            int end = icmp + u16(frame, p + 4);
            int n = 0;
            for (int o = icmp + 24; o + 1 < end && frame[o + 1] != 0; o += (frame[o + 1] & 0xFF) * 8) {
                int len = (frame[o + 1] & 0xFF) * 8;
                String value = (frame[o] == 1 || frame[o] == 2) && len == 8 ? mac(frame, o + 2)
                        : hex(Arrays.copyOfRange(frame, o + 2, Math.min(o + len, frame.length)));
                m.put("nd.option." + n++, "type " + (frame[o] & 0xFF) + " length " + len + " " + value);
            }
        }
        return m;
    }

    private static int u16(byte[] f, int i) {
        return ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF);
    }

    private static String mac(byte[] f, int i) {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", f[i], f[i + 1], f[i + 2], f[i + 3], f[i + 4], f[i + 5]);
    }

    private static String address(byte[] f, int i, int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(f, i, i + length)).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
