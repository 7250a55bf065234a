package org.overlaygate.testsupport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

import org.overlaygate.api.MacAddress;

/**
 * Ethernet frames for tests, built byte by byte here (independently of the code under test), and
 * hex for reading and writing them.
 */
public final class Frames {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ARP_REQUEST = 1;
    public static final int ARP_REPLY = 2;

    private Frames() {
    }

    /**
     * An Ethernet frame: {@code dst}, {@code src}, the IPv4 ethertype and {@code payload} bytes
     * following a pattern (byte i is {@code i * 7}), so that a copy can be told from the original's
     * neighbours.
     */
    public static byte[] ethernet(long dst, long src, int payload) {
        byte[] f = new byte[14 + payload];
        MacAddress.write(f, 0, dst);
        MacAddress.write(f, 6, src);
        f[12] = 0x08;
        for (int i = 14; i < f.length; i++) {
            f[i] = (byte) (i * 7);
        }
        return f;
    }

    /** An ARP packet for IPv4 over Ethernet ({@link #ARP_REQUEST} broadcast, or a reply to {@code senderMac}'s peer), 42 bytes. */
    public static byte[] arp(long senderMac, int senderIp, int targetIp, int op) {
        byte[] f = new byte[42];
        MacAddress.write(f, 0, MacAddress.BROADCAST);
        MacAddress.write(f, 6, senderMac);
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(12, (short) ETHERTYPE_ARP).putShort(14, (short) 1).putShort(16, (short) ETHERTYPE_IPV4).put(18, (byte) 6).put(19, (byte) 4);
        b.putShort(20, (short) op);
        MacAddress.write(f, 22, senderMac);
        b.putInt(28, senderIp).putInt(38, targetIp);
        return f;
    }

    /** A broadcast ARP request: who has {@code targetIp}, tell {@code senderIp} ({@code senderMac}). */
    public static byte[] arpRequest(long senderMac, String senderIp, String targetIp) {
        return arp(senderMac, ipv4(senderIp), ipv4(targetIp), ARP_REQUEST);
    }

    /** A dotted IPv4 literal as an int. */
    public static int ipv4(String literal) {
        return ByteBuffer.wrap(ip(literal).getAddress()).getInt();
    }

    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** Bytes from hex digits, two a byte, no separators. */
    public static byte[] fromHex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** Lower-case hex digits, two a byte, no separators. */
    public static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            b.append(Character.forDigit((x >>> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return b.toString();
    }
}
